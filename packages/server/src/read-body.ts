import type { IncomingMessage } from 'node:http';

const utf8 = new TextDecoder('utf-8');

/**
 * A Node request's body as text, decoded as `Request.text()` does (UTF-8, a leading BOM dropped,
 * malformed sequences replaced), or `'too-large'` once it passes `maxBytes` (the rest is drained
 * unread, so the connection stays usable for the answer). A stream that fails is rethrown.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.byteLength;
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
