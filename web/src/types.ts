// The shapes the UI reads, as names for the types generated from the server's
// OpenAPI document (web/src/generated/, `npm run generate:web-types`). Nothing
// here restates a schema: a change on the server is a type error here.

import type { components, paths } from './generated/openapi';

type Json<Route extends keyof paths, Method extends 'get' | 'post' | 'patch', Status extends number> = paths[Route][Method] extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

type JsonBody<Route extends keyof paths, Method extends 'post' | 'patch'> = paths[Route][Method] extends {
  requestBody?: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

type ServerProblem = components['schemas']['Problem'];
/** RFC 9457 problem document; clients branch on `code`. The UI makes its own (network failure) without `type` and `title`. */
export type Problem = Omit<ServerProblem, 'type' | 'title'> & Partial<Pick<ServerProblem, 'type' | 'title'>>;
export type FieldError = NonNullable<Problem['errors']>[number];

export type TokenAnswer = Json<'/api/auth/otp/verify', 'post', 200>;
export type User = TokenAnswer['user'];
export type Permission = User['permissions'][number];
export type LoginAnswer = Json<'/api/auth/login', 'post', 200>;
export type ResendAnswer = Json<'/api/auth/otp/resend', 'post', 200>;

export type Application = Json<'/api/applications/{id}', 'get', 200>;
export type ApplicationStatus = Application['status'];
export type ProductType = Application['productType'];
export type Currency = Application['currency'];
export type ApplicationList = Json<'/api/applications', 'get', 200>;
export type NewApplicationBody = JsonBody<'/api/applications', 'post'>;
export type ApplicationChange = JsonBody<'/api/applications/{id}', 'patch'>;

type ServerHistoryEntry = Json<'/api/applications/{id}/history', 'get', 200>['items'][number];
/**
 * `changes` (API.md "Applications": each changed field but status, `{ from, to }`)
 * is being added to the server's schema; until the generated type has it,
 * it is read as optional.
 */
export type HistoryEntry = ServerHistoryEntry & { changes?: Record<string, { from: unknown; to: unknown }> };

export type AdminUser = Json<'/api/rbac/users', 'get', 200>['items'][number];
export type UserList = Json<'/api/rbac/users', 'get', 200>;
export type Lender = Json<'/api/rbac/lenders', 'post', 201>;
export type LenderList = Json<'/api/rbac/lenders', 'get', 200>;
export type AuditEvent = Json<'/api/rbac/audit', 'get', 200>['items'][number];
export type AuditList = Json<'/api/rbac/audit', 'get', 200>;
export type LimitedList = Json<'/api/rbac/rate-limits', 'get', 200>;
export type LimitedSubject = LimitedList['items'][number];
export type AuditQuery = NonNullable<paths['/api/rbac/audit']['get']['parameters']['query']>;

export { APPLICATION_STATUSES, AUDIT_EVENT_TYPES, CURRENCIES, PRODUCT_TYPES, ROLE_NAMES, STATUS_TRANSITIONS } from './generated/vocabulary';
