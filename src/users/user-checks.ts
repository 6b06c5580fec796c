// The rules a user's fields obey, whoever sets them (the admin API or the
// CLI): each check adds JSON Pointer field errors rather than throwing, so one
// answer lists every problem of a request.

import { ROLE_NAMES, type RoleName } from '../core/vocabulary.js';
import type { DbExecutor } from '../db/connect.js';
import { isUuid } from '../db/ids.js';
import type { FieldError } from '../errors.js';
import { normalizePhone } from '../otp/phone.js';
import { findLenderById } from './lenders.js';
import { sortRoles } from './users-repository.js';

export const USER_NAME_MAX_CHARACTERS = 200;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(email: string, errors: FieldError[]): void {
  if (!EMAIL_PATTERN.test(email) || email.length > 254) errors.push({ path: '/email', message: 'is not a valid email address' });
}

export function checkName(name: string, errors: FieldError[]): void {
  const trimmed = name.trim();
  if (trimmed.length === 0) errors.push({ path: '/name', message: 'must not be blank' });
  else if ([...trimmed].length > USER_NAME_MAX_CHARACTERS) errors.push({ path: '/name', message: `must NOT have more than ${USER_NAME_MAX_CHARACTERS} characters` });
}

/** Known roles only, deduplicated, in the catalogue's order. */
export function checkRoles(roles: readonly string[], errors: FieldError[]): RoleName[] {
  roles.forEach((role, index) => {
    if (!(ROLE_NAMES as readonly string[]).includes(role)) errors.push({ path: `/roles/${index}`, message: `is not a known role (${ROLE_NAMES.join(', ')})` });
  });
  return sortRoles(roles);
}

/** E.164 of a valid number; undefined (with an error) otherwise; null stays null. */
export function checkPhone(phone: string | null | undefined, errors: FieldError[]): string | null | undefined {
  if (phone === undefined || phone === null) return phone;
  const normalized = normalizePhone(phone);
  if (!normalized) errors.push({ path: '/phone', message: 'is not a valid phone number (use E.164, e.g. +16135550123)' });
  return normalized ?? undefined;
}

export async function checkLender(db: DbExecutor, lenderId: string | null | undefined, errors: FieldError[]): Promise<void> {
  if (lenderId === undefined || lenderId === null) return;
  if (!isUuid(lenderId) || !(await findLenderById(db, lenderId))) errors.push({ path: '/lenderId', message: 'is not a known lender' });
}

/** A lender user without a lender would see no application, or worse, every unassigned one. */
export function checkLenderRole(roles: readonly RoleName[], lenderId: string | null | undefined, errors: FieldError[]): void {
  if (roles.includes('lender') && !lenderId && !errors.some((error) => error.path === '/lenderId')) {
    errors.push({ path: '/lenderId', message: 'is required for the role lender' });
  }
}
