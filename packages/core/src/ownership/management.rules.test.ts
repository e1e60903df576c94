import { describe, expect, it } from 'vitest';
import { roleSchema } from '../roles.js';
import { managementReach, managementScope, managesTeam, managesUser, seesDelegation, type ManagementActor } from './management.rules.js';
import { canSee, heldScope } from './visibility.rules.js';

/* mei leads team east and its sub-team east-b; li and qian belong to them. */
const facts = (actor: ManagementActor) => ({ ...actor, ledTeamIds: ['east', 'east-b', 'east'], memberIds: ['li', 'qian', 'mei'] });

describe('managementScope', () => {
  it('gives admins, service and integration roles and every non-rep API key or system actor the whole tenant', () => {
    for (const actor of [
      { type: 'user', id: 'root', role: 'admin' },
      { type: 'apiKey', id: 'key_1', role: 'admin' },
      { type: 'system', id: 'pool-sweep', role: 'admin' },
      { type: 'user', id: 'svc', role: 'service' },
      { type: 'apiKey', id: 'key_2', role: 'integration' },
      { type: 'apiKey', id: 'key_3', role: 'manager' },
    ] as const) {
      expect(managementScope(facts(actor)), `${actor.type} ${actor.role}`).toEqual({ all: true });
    }
  });

  it('gives a manager user the teams they lead with their sub-teams, and the people in them with themselves', () => {
    const scope = managementScope(facts({ type: 'user', id: 'mei', role: 'manager' }));
    expect(scope).toEqual({ all: false, teamIds: ['east', 'east-b'], userIds: ['mei', 'li', 'qian'] });
    expect(managesTeam(scope, 'east-b')).toBe(true);
    expect(managesTeam(scope, 'west')).toBe(false);
    expect(managesUser(scope, 'qian')).toBe(true);
    expect(managesUser(scope, 'wang')).toBe(false);
  });

  it('gives a rep only themselves, and a rep API key nobody, whatever teams are passed in', () => {
    expect(managementScope(facts({ type: 'user', id: 'li', role: 'rep' }))).toEqual({ all: false, teamIds: [], userIds: ['li'] });
    expect(managementScope(facts({ type: 'apiKey', id: 'key_4', role: 'rep' }))).toEqual({ all: false, teamIds: [], userIds: [] });
  });

  it('asks for teams only for manager users', () => {
    const reaches = roleSchema.options.flatMap((role) => (['user', 'apiKey', 'system'] as const).map((type) => [type, role, managementReach({ type, id: 'x', role })]));
    expect(reaches.filter(([, , reach]) => reach === 'led-teams')).toEqual([['user', 'manager', 'led-teams']]);
  });
});

describe('seesDelegation', () => {
  it('shows a delegation when the scope manages either of its two people', () => {
    const mei = managementScope(facts({ type: 'user', id: 'mei', role: 'manager' }));
    expect(seesDelegation(mei, { delegatorId: 'li', delegateId: 'wang' })).toBe(true);
    expect(seesDelegation(mei, { delegatorId: 'wang', delegateId: 'qian' })).toBe(true);
    expect(seesDelegation(mei, { delegatorId: 'wang', delegateId: 'sun' })).toBe(false);
    const li = managementScope(facts({ type: 'user', id: 'li', role: 'rep' }));
    expect(seesDelegation(li, { delegatorId: 'qian', delegateId: 'mei' })).toBe(false);
    expect(seesDelegation({ all: true }, { delegatorId: 'wang', delegateId: 'sun' })).toBe(true);
  });
});

describe('heldScope', () => {
  const acc = (id: string, ownerTeamId: string | null, primaryOwnerId: string | null, secondaryOwnerId: string | null = null) => ({ id, ownerTeamId, primaryOwnerId, secondaryOwnerId });

  it('holds owned accounts and the accounts of the holder’s teams, led sub-teams for managers only, and never the whole tenant', () => {
    const accounts = [acc('own', 'west', 'li'), acc('second', null, 'wang', 'li'), acc('east', 'east', null), acc('sub', 'east-b', null), acc('other', 'west', 'wang')];
    const held = (role: 'admin' | 'manager' | 'rep') =>
      accounts.filter((a) => canSee(heldScope({ actorId: 'li', role, ledTeamIds: ['east', 'east-b'], memberTeamIds: ['east'] }), a)).map((a) => a.id);
    expect(held('manager')).toEqual(['own', 'second', 'east', 'sub']);
    expect(held('rep')).toEqual(['own', 'second', 'east']);
    expect(held('admin')).toEqual(['own', 'second', 'east']);
  });
});
