import { z } from 'zod';

/** Who a caller is to crmkit. Users carry a role in their token; API keys carry one too. */
export const roleSchema = z.enum(['admin', 'manager', 'rep', 'service', 'integration']);
export type Role = z.infer<typeof roleSchema>;

/**
 * What a caller may do. A procedure requires one permission; a role grants a set; an API key
 * may narrow its role further with scopes (a subset of these).
 */
export const permissionSchema = z.enum([
  'accounts:read',
  'accounts:write',
  'contacts:read',
  'contacts:write',
  'users:read',
  'users:write',
  'apiKeys:manage',
  'audit:read',
  'teams:read',
  'teams:manage',
  'ownership:read',
  'ownership:assign',
  'ownership:override',
  'delegations:manage',
  'pool:claim',
  'pool:manage',
  'activities:read',
  'activities:write',
  'settings:manage',
  'orders:read',
  'orders:write',
  'invoices:read',
  'invoices:write',
  'payments:read',
  'payments:write',
  'credit:read',
  'credit:manage',
  'credit:approve',
]);
export type Permission = z.infer<typeof permissionSchema>;

const all = permissionSchema.options;

/** The one table of role → permissions. */
export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: all,
  manager: ['accounts:read', 'accounts:write', 'contacts:read', 'contacts:write', 'users:read', 'audit:read', 'teams:read', 'teams:manage', 'ownership:read', 'ownership:assign', 'ownership:override', 'delegations:manage', 'pool:claim', 'pool:manage', 'activities:read', 'activities:write', 'orders:read', 'orders:write', 'invoices:read', 'payments:read', 'credit:read', 'credit:approve'],
  rep: ['accounts:read', 'accounts:write', 'contacts:read', 'contacts:write', 'users:read', 'teams:read', 'ownership:read', 'delegations:manage', 'pool:claim', 'activities:read', 'activities:write', 'orders:read', 'orders:write', 'invoices:read', 'payments:read', 'credit:read'],
  service: ['accounts:read', 'contacts:read', 'users:read', 'teams:read', 'ownership:read', 'activities:read', 'orders:read', 'invoices:read', 'payments:read', 'credit:read'],
  integration: [
    'accounts:read', 'accounts:write', 'contacts:read', 'contacts:write', 'users:read', 'users:write', 'teams:read', 'ownership:read', 'ownership:assign', 'activities:read', 'activities:write',
    'orders:read', 'orders:write', 'invoices:read', 'invoices:write', 'payments:read', 'payments:write', 'credit:read',
  ],
};

/**
 * Whether a role (narrowed by API-key scopes, when given) has a permission.
 *
 * @example can('rep', 'apiKeys:manage') // false
 */
export function can(role: Role, permission: Permission, scopes?: readonly Permission[] | null): boolean {
  if (!rolePermissions[role].includes(permission)) return false;
  return scopes == null || scopes.length === 0 || scopes.includes(permission);
}
