import { z } from 'zod';
import { CrmError } from './errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** The paging part of every list input. `cursor` is opaque: pass back the previous `nextCursor`. */
export const pageInputSchema = z.object({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});
export type PageInput = z.input<typeof pageInputSchema>;

/** A page of items and the cursor of the next page (`null` on the last page). */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

// Browser-safe base64url (core runs in widgets too, where Buffer does not exist).
function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** Encodes the sort key of the last item of a page. */
export function encodeCursor(key: Record<string, string | number>): string {
  return toBase64Url(JSON.stringify(key));
}

/** Decodes a cursor made by encodeCursor; anything else is a VALIDATION error on `cursor`. */
export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.infer<T> {
  try {
    return shape.parse(JSON.parse(fromBase64Url(cursor)));
  } catch {
    throw CrmError.validation('cursor', 'invalid cursor: pass back a nextCursor from a previous page');
  }
}
