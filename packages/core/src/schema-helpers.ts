import { z } from 'zod';

/** Trimmed text of bounded length; empty after trimming is refused. */
export const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

/** Optional text for create inputs: absent, or non-empty trimmed text. */
export const optionalText = (max: number) => text(max).optional();

/** Text that an update may clear by sending null. */
export const clearableText = (max: number) => text(max).nullable().optional();

export const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email('expected an email address'));
export const phoneSchema = z.string().trim().regex(/^\+?[0-9 ()-]{3,32}$/, 'expected a phone number of digits, spaces, ( ) - and an optional leading +');
export const isoDateTime = z.iso.datetime({ offset: false });
export const expectedVersionSchema = z.number().int().min(1).optional().describe('refuse the write with CONFLICT unless the entity is at this version');
