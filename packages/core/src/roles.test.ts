import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { can, permissionSchema, roleSchema, rolePermissions, type Permission } from './roles.js';

const permissions = permissionSchema.options;
const roles = roleSchema.options;

describe('can', () => {
  it('refuses apiKeys:manage to a rep', () => {
    expect(can('rep', 'apiKeys:manage')).toBe(false);
  });

  it('lets a rep read and write accounts and contacts but not read the audit log', () => {
    expect(can('rep', 'accounts:read')).toBe(true);
    expect(can('rep', 'accounts:write')).toBe(true);
    expect(can('rep', 'contacts:write')).toBe(true);
    expect(can('rep', 'audit:read')).toBe(false);
    expect(can('rep', 'users:write')).toBe(false);
  });

  it('lets a manager read the audit log but not manage API keys', () => {
    expect(can('manager', 'audit:read')).toBe(true);
    expect(can('manager', 'apiKeys:manage')).toBe(false);
  });

  it('lets service read but not write', () => {
    expect(can('service', 'accounts:read')).toBe(true);
    expect(can('service', 'accounts:write')).toBe(false);
    expect(can('service', 'contacts:write')).toBe(false);
  });

  it('lets an admin do everything', () => {
    for (const p of permissions) expect(can('admin', p)).toBe(true);
    expect(rolePermissions.admin).toEqual(permissions);
  });

  it('narrows an integration key scoped to accounts:read so it cannot write accounts', () => {
    expect(can('integration', 'accounts:write')).toBe(true);
    expect(can('integration', 'accounts:write', ['accounts:read'])).toBe(false);
    expect(can('integration', 'accounts:read', ['accounts:read'])).toBe(true);
    expect(can('admin', 'apiKeys:manage', ['accounts:read'])).toBe(false);
  });

  it('never widens a role with scopes', () => {
    expect(can('service', 'accounts:write', ['accounts:write'])).toBe(false);
    expect(can('integration', 'apiKeys:manage', ['apiKeys:manage'])).toBe(false);
  });

  it('treats empty, null or absent scopes as all of the role\'s permissions', () => {
    for (const role of roles) {
      for (const p of permissions) {
        const granted = rolePermissions[role].includes(p);
        expect(can(role, p)).toBe(granted);
        expect(can(role, p, null)).toBe(granted);
        expect(can(role, p, [])).toBe(granted);
      }
    }
  });

  it('grants with non-empty scopes exactly the role\'s permissions that are in the scopes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...roles),
        fc.constantFrom(...permissions),
        fc.uniqueArray(fc.constantFrom<Permission>(...permissions), { minLength: 1 }),
        (role, p, scopes) => {
          expect(can(role, p, scopes)).toBe(can(role, p) && scopes.includes(p));
        },
      ),
    );
  });
});
