import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { permissionSchema, rolePermissions, roleSchema, visibilityScope } from '@crmkit/core';
import { describe, expect, it } from 'vitest';

// The docs state the role rules as tables; these tests hold them to the code they describe.
const docs = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs');

/** The first markdown table under a heading, as rows of trimmed cells (header row first, separator dropped). */
function tableUnder(file: string, heading: string): string[][] {
  const text = readFileSync(resolve(docs, file), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  expect(at, `${file} has no heading "${heading}"`).toBeGreaterThan(-1);
  const lines = text.slice(at + heading.length + 2).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    const cells = line.replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    rows.push(cells);
  }
  return rows;
}

describe('the role rules in the docs', () => {
  it('docs/concepts/auth.md lists every permission, and exactly the roles rolePermissions grants each to', () => {
    const [header, ...rows] = tableUnder('concepts/auth.md', '## Roles');
    const roles = header!.slice(1);
    expect([...roles].sort()).toEqual([...roleSchema.options].sort());
    expect(rows.map((r) => r[0]).sort()).toEqual([...permissionSchema.options].sort());
    const documented = Object.fromEntries(roles.map((role, i) => [role, rows.filter((r) => r[i + 1] === '✓').map((r) => r[0]).sort()]));
    const actual = Object.fromEntries(roleSchema.options.map((role) => [role, [...rolePermissions[role]].sort()]));
    expect(documented).toEqual(actual);
  });

  it('docs/concepts/ownership.md names exactly the roles that see the whole tenant', () => {
    const [, ...rows] = tableUnder('concepts/ownership.md', '## Who sees what');
    const wholeTenant = rows.filter((r) => r[1]!.startsWith('the whole tenant')).flatMap((r) => r[0]!.split(',').map((s) => s.trim()));
    const facts = { actorId: 'u', ledTeamIds: [], memberTeamIds: [], delegatorIds: [], delegatedAccountIds: [] };
    const actual = roleSchema.options.filter((role) => visibilityScope({ ...facts, role }).all);
    expect(wholeTenant.sort()).toEqual([...actual].sort());
    expect(rows.map((r) => r[0]!.split(',').map((s) => s.trim())).flat().sort()).toEqual([...roleSchema.options].sort());
  });
});
