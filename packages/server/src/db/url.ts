export type Provider = 'sqlite' | 'postgresql';

/** Which database a URL names: `file:` (or a bare path) is SQLite, `postgres(ql)://` is PostgreSQL. */
export function providerOf(databaseUrl: string): Provider {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return 'postgresql';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl) && !databaseUrl.startsWith('file:')) {
    throw new Error(`crmkit supports file: (SQLite) and postgres:// URLs, not ${databaseUrl.split(':')[0]}:`);
  }
  return 'sqlite';
}

/** The file path of a SQLite URL (`file:./crm.db` → `./crm.db`). */
export function sqlitePathOf(databaseUrl: string): string {
  return databaseUrl.startsWith('file:') ? databaseUrl.slice('file:'.length) : databaseUrl;
}
