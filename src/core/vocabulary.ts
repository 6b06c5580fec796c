// The words of the domain, in one place: roles, application statuses,
// products, currencies, and the status workflow. Imports nothing of the
// project, so the database schema, the permissions, the HTTP schemas and the
// web UI (through the OpenAPI document) all speak the same vocabulary.

export const ROLE_NAMES = ['admin', 'staff', 'lender'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const APPLICATION_STATUSES = ['submitted', 'in_review', 'approved', 'declined', 'funded', 'withdrawn'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const PRODUCT_TYPES = ['term_loan', 'line_of_credit', 'equipment_financing', 'invoice_factoring', 'merchant_cash_advance'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

export const CURRENCIES = ['CAD', 'USD'] as const;
export type Currency = (typeof CURRENCIES)[number];

/**
 * The status workflow of API.md: submitted → in_review → approved | declined,
 * approved → funded, and any status that is not final → withdrawn.
 */
export const STATUS_TRANSITIONS: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  submitted: ['in_review', 'withdrawn'],
  in_review: ['approved', 'declined', 'withdrawn'],
  approved: ['funded', 'withdrawn'],
  declined: [],
  funded: [],
  withdrawn: [],
};
