import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../src/routers/root.js';

// docs/procedures.md is the reference users read: every procedure the router serves has a row.

const doc = readFileSync(fileURLToPath(new URL('../../../docs/procedures.md', import.meta.url)), 'utf8');
const rows = doc.split('\n').filter((l) => l.startsWith('| `'));

/** Whether a table row names the procedure: `ns.name`, or `name` in a row that also names one of `ns.` (`teams.addMember` / `removeMember`). */
function documented(path: string): boolean {
  const at = path.lastIndexOf('.');
  const ns = path.slice(0, at);
  const name = path.slice(at + 1);
  return rows.some((row) => {
    const first = row.split('|')[1] ?? '';
    return first.includes(`\`${path}\``) || (first.includes(`\`${ns}.`) && first.includes(`\`${name}\``));
  });
}

describe('docs/procedures.md', () => {
  it('has a row for every procedure the router serves', () => {
    const missing = Object.keys(appRouter._def.procedures).filter((path) => !documented(path));
    expect(missing).toEqual([]);
  });
});
