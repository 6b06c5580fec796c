// Shapes of shared/API.md that the UI reads. Written out here rather than
// imported from src/: the browser bundle must not pull in server modules.

export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 problem document; clients branch on `code`. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  attemptsRemaining?: number;
}

export interface User {
  id: string;
  email: string;
  name: string;
  roles: string[];
  permissions: string[];
  lenderId: string | null;
}

export interface TokenAnswer {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: User;
}

export interface OtpDelivery {
  channel: string;
  to: string;
}

export interface LoginAnswer {
  status: 'OTP_REQUIRED';
  tempToken: string;
  expiresIn: number;
  otp: OtpDelivery & { resendAfter: number };
}

export interface ResendAnswer {
  sent: true;
  resendAfter: number;
  otp: OtpDelivery;
}

export const APPLICATION_STATUSES = ['submitted', 'in_review', 'approved', 'declined', 'funded', 'withdrawn'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export const PRODUCT_TYPES = ['term_loan', 'line_of_credit', 'equipment_financing', 'invoice_factoring', 'merchant_cash_advance'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

export const CURRENCIES = ['CAD', 'USD'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** The workflow of API.md (the server's table: src/applications/workflow.ts); the server has the last word. */
export const STATUS_TRANSITIONS: Readonly<Record<ApplicationStatus, readonly ApplicationStatus[]>> = {
  submitted: ['in_review', 'withdrawn'],
  in_review: ['approved', 'declined', 'withdrawn'],
  approved: ['funded', 'withdrawn'],
  declined: [],
  funded: [],
  withdrawn: [],
};

export interface Application {
  id: string;
  reference: string;
  businessName: string;
  contactName: string;
  contactEmail: string;
  contactPhone: string;
  amountRequested: number;
  currency: Currency;
  productType: ProductType;
  status: ApplicationStatus;
  assignedTo: string | null;
  lenderId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface HistoryEntry {
  at: string;
  actorId: string | null;
  fromStatus: ApplicationStatus | null;
  toStatus: ApplicationStatus;
  note: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AdminUser {
  id: string;
  email: string;
  name: string;
  phone: string | null;
  roles: string[];
  lenderId: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface Lender {
  id: string;
  name: string;
}

export const ROLE_NAMES = ['admin', 'staff', 'lender'] as const;
