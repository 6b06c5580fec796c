// Roles and their permissions (API.md "Roles and permissions"). Object-level
// limits (a lender sees only its own applications) live with the objects.

import type { RoleName } from '../core/vocabulary.js';

export const PERMISSIONS = [
  'applications:read',
  'applications:write',
  'users:manage',
  'rate-limits:clear',
  'audit:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<RoleName, readonly Permission[]> = {
  admin: PERMISSIONS,
  staff: ['applications:read', 'applications:write'],
  lender: ['applications:read'],
};

export function permissionsOf(roles: readonly RoleName[]): Permission[] {
  const granted = new Set<Permission>();
  for (const role of roles) for (const permission of ROLE_PERMISSIONS[role] ?? []) granted.add(permission);
  return PERMISSIONS.filter((permission) => granted.has(permission));
}

/** Who is asking: the signed-in user as the access token and session vouch for them. */
export interface Principal {
  userId: string;
  sessionId: string;
  roles: RoleName[];
  permissions: Permission[];
  lenderId: string | null;
}

export function can(principal: Principal, permission: Permission): boolean {
  return principal.permissions.includes(permission);
}
