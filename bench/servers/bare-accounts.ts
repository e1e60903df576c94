/**
 * What the two bare baselines (bare.ts for reads, bare-writes.ts for writes) share: the Account row
 * as SQLite stores it, its JSON as crmkit answers it, and tRPC-shaped answers. Copied from crmkit's
 * behaviour, never imported from it: a baseline must not run crmkit's code.
 */
import type { ServerResponse } from 'node:http';

export interface AccountRow {
  id: string; name: string; parentId: string | null; grade: string | null; settlesOwnInvoices: number;
  taxId: string | null; phone: string | null; email: string | null; website: string | null; region: string | null;
  currency: string | null; version: number; createdAt: string; updatedAt: string; archivedAt: string | null;
}

export const accountColumns = ['id', 'name', 'parentId', 'grade', 'settlesOwnInvoices', 'taxId', 'phone', 'email', 'website', 'region', 'currency', 'version', 'createdAt', 'updatedAt', 'archivedAt'];
/** The quoted column list of an Account SELECT. */
export const columns = accountColumns.map((c) => `"${c}"`).join(', ');
export const accountIdPattern = /^acc_[0-9A-HJKMNP-TV-Z]{26}$/;
export const grades = new Set(['A', 'B', 'C', 'D']);
/** How long a checked API key is trusted, as crmkit's default. */
export const KEY_CACHE_MS = 10_000;

/** The stored row as crmkit's accounts.get answers it (TEXT timestamps and INTEGER booleans turned into JSON). */
export function toAccount(row: AccountRow) {
  return {
    id: row.id,
    name: row.name,
    parentId: row.parentId,
    grade: row.grade,
    settlesOwnInvoices: row.settlesOwnInvoices === 1,
    taxId: row.taxId,
    phone: row.phone,
    email: row.email,
    website: row.website,
    region: row.region,
    currency: row.currency,
    version: row.version,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
    archivedAt: row.archivedAt === null ? null : new Date(row.archivedAt).toISOString(),
  };
}
export type Account = ReturnType<typeof toAccount>;

export function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
export function fail(res: ServerResponse, status: number, code: string, message: string) {
  send(res, status, { error: { message, code: -32000, data: { code, httpStatus: status } } });
}
