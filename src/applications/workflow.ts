// The status workflow of API.md: submitted → in_review → approved | declined,
// approved → funded, and any status that is not final → withdrawn. One table,
// so the rule, its tests and the documentation cannot drift apart.

import { APPLICATION_STATUSES, STATUS_TRANSITIONS, type ApplicationStatus } from '../core/vocabulary.js';
import { AppError } from '../errors.js';

export const FINAL_STATUSES: readonly ApplicationStatus[] = APPLICATION_STATUSES.filter((status) => STATUS_TRANSITIONS[status].length === 0);

export function canTransition(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

/**
 * 409 INVALID_TRANSITION for anything the table does not list, including a
 * status set to itself: the workflow has no such step, and a client that
 * sends one is acting on a stale view of the application.
 */
export function assertTransition(from: ApplicationStatus, to: ApplicationStatus): void {
  if (canTransition(from, to)) return;
  const allowed = STATUS_TRANSITIONS[from];
  throw new AppError('INVALID_TRANSITION', {
    detail:
      allowed.length === 0
        ? `An application that is ${from} is final; its status cannot change to ${to}.`
        : `An application that is ${from} can move to ${allowed.join(' or ')}, not to ${to}.`,
  });
}
