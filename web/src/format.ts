import type { ApplicationStatus, ProductType } from './types';

const STATUS_LABELS: Record<ApplicationStatus, string> = {
  submitted: 'Submitted',
  in_review: 'In review',
  approved: 'Approved',
  declined: 'Declined',
  funded: 'Funded',
  withdrawn: 'Withdrawn',
};

const PRODUCT_LABELS: Record<ProductType, string> = {
  term_loan: 'Term loan',
  line_of_credit: 'Line of credit',
  equipment_financing: 'Equipment financing',
  invoice_factoring: 'Invoice factoring',
  merchant_cash_advance: 'Merchant cash advance',
};

export const statusLabel = (status: ApplicationStatus) => STATUS_LABELS[status] ?? status;
export const productLabel = (product: ProductType) => PRODUCT_LABELS[product] ?? product;

/** Integer cents as money with the currency code, e.g. 2500000 CAD → "CAD 25,000.00" ("$" alone would not tell CAD from USD). */
export function formatAmount(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-CA', { style: 'currency', currency, currencyDisplay: 'code' }).format(cents / 100);
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/**
 * "25,000.50" → 2500050 cents, computed on the digits (no float rounding);
 * null when the text is not a positive amount with at most 2 decimals.
 */
export function parseAmountToCents(text: string): number | null {
  const match = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(text.replace(/[,\s$]/g, ''));
  if (!match) return null;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return cents > 0 && Number.isSafeInteger(cents) ? cents : null;
}

/** "in 45 seconds" style countdown text for a number of seconds. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
