import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmCodeOf, startHarness, type Harness } from './helpers/harness.js';

// Race tests: each round starts two writes at once through HTTP and checks the invariant afterwards.
// On SQLite one write transaction runs at a time; on PostgreSQL they interleave, which is what these guard.
const ROUNDS = 20;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** The code of a settled call: 'ok' or its crmkit error code. */
async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'ok',
    (e: unknown) => crmCodeOf(Promise.reject(e)),
  );
}

/** Active accounts of tenant A whose parent is archived (the invariant says: none). */
async function activeChildrenOfArchivedParents(): Promise<string[]> {
  const rows = await h.crm.db.account.findMany({ where: { tenantId: h.tenantA, archivedAt: null, parent: { archivedAt: { not: null } } }, select: { id: true } });
  return rows.map((r) => r.id);
}

describe('no active account under an archived parent, under concurrency', () => {
  it('archiving a parent while a branch is created under it: exactly one of them succeeds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const parent = await h.adminA.accounts.create.mutate({ name: `Race parent ${round}` });
      const [archived, created] = await Promise.all([
        outcome(h.adminA.accounts.archive.mutate({ id: parent.id })),
        outcome(h.adminA.accounts.create.mutate({ name: `Race branch ${round}`, parentId: parent.id })),
      ]);
      // Whichever commits first wins; the other is refused (archived parent, or active branches).
      expect([archived, created].sort(), `round ${round}`).toEqual(['PRECONDITION_FAILED', 'ok']);
    }
    expect(await activeChildrenOfArchivedParents()).toEqual([]);
  });

  it('archiving a parent while an account is moved under it: exactly one of them succeeds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const parent = await h.adminA.accounts.create.mutate({ name: `Move target ${round}` });
      const mover = await h.adminA.accounts.create.mutate({ name: `Mover ${round}` });
      const [archived, moved] = await Promise.all([
        outcome(h.adminA.accounts.archive.mutate({ id: parent.id })),
        outcome(h.adminA.accounts.setParent.mutate({ id: mover.id, parentId: parent.id })),
      ]);
      expect([archived, moved].sort(), `round ${round}`).toEqual(['PRECONDITION_FAILED', 'ok']);
    }
    expect(await activeChildrenOfArchivedParents()).toEqual([]);
  });

  it('two moves that would close a loop (A under B, B under A) at once: one succeeds, the other answers CYCLE', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const a = await h.adminA.accounts.create.mutate({ name: `Loop A ${round}` });
      const b = await h.adminA.accounts.create.mutate({ name: `Loop B ${round}` });
      const results = await Promise.all([
        outcome(h.adminA.accounts.setParent.mutate({ id: a.id, parentId: b.id })),
        outcome(h.adminA.accounts.setParent.mutate({ id: b.id, parentId: a.id })),
      ]);
      expect(results.sort(), `round ${round}`).toEqual(['CYCLE', 'ok']);
      const rows = await h.crm.db.account.findMany({ where: { id: { in: [a.id, b.id] } }, select: { id: true, parentId: true } });
      expect(rows.filter((r) => r.parentId !== null), `round ${round}`).toHaveLength(1);
    }
  });
});
