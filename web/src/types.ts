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
export type SignInFactor = LoginAnswer['factors'][number];
export type Me = Json<'/api/auth/me', 'get', 200>;
export type SecuritySummary = Me['security'];
export type TotpEnrollment = Json<'/api/auth/totp', 'post', 200>;
export type RecoveryCodeSet = Json<'/api/auth/totp/confirm', 'post', 200>;

export type Application = Json<'/api/applications/{id}', 'get', 200>;
export type ApplicationStatus = Application['status'];
export type ProductType = Application['productType'];
export type Currency = Application['currency'];
export type ApplicationList = Json<'/api/applications', 'get', 200>;
export type NewApplicationBody = JsonBody<'/api/applications', 'post'>;
export type ApplicationChange = JsonBody<'/api/applications/{id}', 'patch'>;

export type HistoryEntry = Json<'/api/applications/{id}/history', 'get', 200>['items'][number];

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

export type CreatedUser = Json<'/api/rbac/users', 'post', 201>;
export type CreateUserBody = JsonBody<'/api/rbac/users', 'post'>;
export type UserChange = JsonBody<'/api/rbac/users/{id}', 'patch'>;
export type PasswordSetupLink = Json<'/api/rbac/users/{id}/password-setup', 'post', 201>;
export type PasswordSetupResult = Json<'/api/auth/password/setup', 'post', 200>;
export type ChangePasswordBody = JsonBody<'/api/auth/password', 'post'>;
export type OwnSession = Json<'/api/auth/sessions', 'get', 200>['items'][number];
export type UserSession = Json<'/api/rbac/users/{id}/sessions', 'get', 200>['items'][number];
