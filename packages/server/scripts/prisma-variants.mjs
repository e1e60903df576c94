// The one schema names SQLite; PostgreSQL gets the same models with its provider.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const serverRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const schemaPath = join(serverRoot, 'prisma', 'schema.prisma');
export const providers = ['sqlite', 'postgresql'];

/** The schema text for a provider, with the client output beside the SQLite one. */
export function schemaFor(provider) {
  const source = readFileSync(schemaPath, 'utf8');
  if (provider === 'sqlite') return source;
  return source
    .replace(/provider = "sqlite"/, `provider = "${provider}"`)
    .replace('output       = "../generated/sqlite"', `output       = "../generated/${provider}"`);
}

/** Writes each provider's schema under generated/ (the PostgreSQL one is derived) and returns the paths. */
export function writeVariantSchemas() {
  const out = {};
  for (const provider of providers) {
    if (provider === 'sqlite') {
      out[provider] = schemaPath;
      continue;
    }
    // Kept one level below the server root so the relative client output resolves the same way.
    const path = join(serverRoot, 'generated', `schema.${provider}.prisma`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, schemaFor(provider));
    out[provider] = path;
  }
  return out;
}
