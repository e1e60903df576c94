import type Database from 'better-sqlite3';

/**
 * Hot write paths on SQLite, run on the driver instead of the ORM.
 *
 * A write through Prisma costs about 1.3 ms of CPU in its runtime and adapter (each statement is
 * compiled, serialized across the engine boundary, and prepared anew) where the same statements on
 * better-sqlite3's cached prepared statements cost tens of microseconds. `SqliteWriter` runs a
 * write transaction as one synchronous block of cached statements on Prisma's own connection:
 *
 * - **One connection, one writer.** Prisma's interactive transactions hold the connection across
 *   awaits. Every one of them now takes crmkit's write lock first (see {@link guardTransactions}),
 *   and so does every driver transaction, so the two never overlap; a driver transaction's body is
 *   synchronous, so nothing else runs on the connection between its `BEGIN IMMEDIATE` and `COMMIT`.
 * - **Same durability.** The connection is the one whose `synchronous` pragma crmkit sets.
 * - **Same rows.** Values are stored as Prisma's adapter stores them (see {@link sqliteValue}), so
 *   the ORM reads what the driver wrote and the other way round.
 *
 * Do not call `transaction` from inside a Prisma transaction: it waits for the lock that
 * transaction holds.
 */
export interface SqliteWriter {
  /** Runs `body` in one `BEGIN IMMEDIATE … COMMIT`; a throw rolls everything back and is rethrown. */
  transaction<T>(body: (w: SqliteWrite) => T): Promise<T>;
}

/** The statements a driver transaction runs; each statement's text is prepared once per connection. */
export interface SqliteWrite {
  get<R>(sql: string, ...params: unknown[]): R | undefined;
  all<R>(sql: string, ...params: unknown[]): R[];
  run(sql: string, ...params: unknown[]): { changes: number };
}

/**
 * A value as Prisma's SQLite adapter binds it: a `Date` as ISO-8601 text with `+00:00` (the
 * adapter's default `timestampFormat`), a boolean as 0/1.
 */
export function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value === undefined ? null : value;
}

/** A stored DateTime read back on the driver. */
export const fromSqliteTime = (value: string): Date => new Date(value);

/** A FIFO async lock: `acquire` resolves with the function that releases it. */
export class WriteLock {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const turn = this.#tail.then(() => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    });
    this.#tail = this.#tail.then(() => held);
    return turn;
  }
}

/** What crmkit needs of Prisma's adapter object (its connection and transaction start). */
interface AdapterLike {
  client: Database.Database;
  startTransaction(isolationLevel?: unknown): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }>;
}

/**
 * Makes each of Prisma's transactions on this adapter hold `lock` from before its `BEGIN` until its
 * commit or rollback.
 */
export function guardTransactions(adapter: AdapterLike, lock: WriteLock): void {
  const start = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const release = await lock.acquire();
    try {
      const tx = await start(isolationLevel);
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      tx.commit = () => commit().finally(release);
      tx.rollback = () => rollback().finally(release);
      return tx;
    } catch (error) {
      release();
      throw error;
    }
  };
}

/**
 * A writer on the connection `connection()` answers (Prisma's, connected on demand by `connect`),
 * serialized with Prisma's transactions through `lock`.
 */
export function sqliteWriter(lock: WriteLock, connect: () => Promise<Database.Database>): SqliteWriter {
  const cache = new WeakMap<Database.Database, Map<string, Database.Statement<unknown[], unknown>>>();
  const statementsOf = (db: Database.Database) => {
    let statements = cache.get(db);
    if (!statements) cache.set(db, (statements = new Map()));
    return statements;
  };
  return {
    async transaction(body) {
      const db = await connect();
      const release = await lock.acquire();
      try {
        // Prisma's adapter reads integers as BigInt on this connection; driver statements read plain numbers.
        const statements = statementsOf(db);
        const prepared = (sql: string) => {
          let stmt = statements.get(sql);
          if (!stmt) {
            stmt = db.prepare(sql);
            if (stmt.reader) stmt.safeIntegers(false);
            statements.set(sql, stmt);
          }
          return stmt;
        };
        const bind = (params: unknown[]) => params.map(sqliteValue);
        const w: SqliteWrite = {
          get: <R>(sql: string, ...params: unknown[]) => prepared(sql).get(...bind(params)) as R | undefined,
          all: <R>(sql: string, ...params: unknown[]) => prepared(sql).all(...bind(params)) as R[],
          run: (sql, ...params) => prepared(sql).run(...bind(params)),
        };
        if (db.inTransaction) throw new Error('crmkit: a driver write found the connection inside another transaction');
        prepared('BEGIN IMMEDIATE').run();
        try {
          const result = body(w);
          prepared('COMMIT').run();
          return result;
        } catch (error) {
          if (db.inTransaction) prepared('ROLLBACK').run();
          throw error;
        }
      } finally {
        release();
      }
    },
  };
}
