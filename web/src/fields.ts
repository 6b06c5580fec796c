// Validation errors at the field they are about. The API answers 400
// VALIDATION_FAILED with `errors: [{ path: "/contactEmail", message }]`; the
// path's first segment names the field, and the validator's wording ("must
// match format \"email\"") becomes a sentence a staff member understands.

import { ApiError } from './api';

/** The form's alert when fields have messages: announced once, the details sit at each field. */
export const CHECK_FIELDS = 'Some fields need attention: see the message under each.';

/** Messages by field name; a form shows each at its field. */
export type FieldErrors = Partial<Record<string, string>>;

function sentenceFor(label: string, message: string): string {
  if (message === 'is required') return `${label} is required.`;
  if (/must match format "email"/.test(message)) return 'Enter a full email address, like name@example.com.';
  if (/must match format "uuid"/.test(message)) return 'Choose one from the list.';
  if (/must match pattern/.test(message)) return `${label} cannot be blank.`;
  const longest = /must NOT have more than (\d+) characters/.exec(message);
  if (longest) return `${label} can have at most ${longest[1]} characters.`;
  const shortest = /must NOT have fewer than (\d+) characters/.exec(message);
  if (shortest) return shortest[1] === '1' ? `${label} is required.` : `${label} needs at least ${shortest[1]} characters.`;
  if (/must be (>=|>) /.test(message)) return `${label} must be more than zero.`;
  if (/must be (<=|<) /.test(message)) return `${label} is too large.`;
  if (message === 'is not an allowed field') return `${label} cannot be set here.`;
  if (/must be equal to one of the allowed values/.test(message)) return 'Choose one from the list.';
  // A whole sentence of the server's own ("This password is too common: …") stands alone.
  if (/^[A-Z]/.test(message)) return /[.!?]$/.test(message) ? message : `${message}.`;
  // The server's fragments ("is not a valid phone number") read well after the label.
  return `${label} ${message.replace(/\.$/, '')}.`;
}

/**
 * The field errors of a VALIDATION_FAILED answer for the fields this form
 * shows (by name → label); null when the error is of another kind or names
 * no field of the form (the form then shows its general message).
 */
export function fieldErrorsOf(error: unknown, labels: Record<string, string>): FieldErrors | null {
  if (!(error instanceof ApiError) || error.code !== 'VALIDATION_FAILED') return null;
  const errors: FieldErrors = {};
  for (const { path, message } of error.problem.errors ?? []) {
    const field = path.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~') ?? '';
    const label = labels[field];
    if (label && !errors[field]) errors[field] = sentenceFor(label, message);
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** The props that tie an input to its hint and its error (aria-describedby, aria-invalid). */
export function describedBy(id: string, error: string | undefined, hasHint = false) {
  const ids = [hasHint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined } as const;
}
