import { z } from 'zod';
import { CrmError } from './errors.js';
import { storableString } from './schema-helpers.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** The paging part of every list input. `cursor` is opaque: pass back the previous `nextCursor`. */
export const pageInputSchema = z.object({
  cursor: storableString().min(1).max(512).optional(),
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

/** Whether any string in a decoded JSON value holds a NUL, which PostgreSQL cannot compare with or store. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || holdsNul(v));
}

/**
 * Decodes a cursor made by encodeCursor; anything else is a VALIDATION error on `cursor`. A cursor
 * is opaque but client-held, so its content is input like any other: the shape's own rules apply
 * (pass `isoDateTime` for an instant) and no string may carry a NUL.
 */
export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.infer<T> {
  try {
    const key: unknown = JSON.parse(fromBase64Url(cursor));
    if (holdsNul(key)) throw new Error('NUL in cursor');
    return shape.parse(key);
  } catch {
    throw CrmError.validation('cursor', 'invalid cursor: pass back a nextCursor from a previous page');
  }
}
