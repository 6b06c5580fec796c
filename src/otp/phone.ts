// Phone numbers: E.164 normalisation, their country (for OTP_ALLOWED_COUNTRIES),
// and the masked form shown to a user ("+1 ••• ••• ••34").

import { parsePhone } from '../core/phone-parse.js';

/** The E.164 form of a valid number, or null. */
export function normalizePhone(text: string): string | null {
  const parsed = parsePhone(text);
  return parsed && parsed.isValid() ? parsed.number : null;
}

/** ISO country of an E.164 number (e.g. "CA"), or null when unknown. */
export function phoneCountry(phoneE164: string): string | null {
  return parsePhone(phoneE164)?.country ?? null;
}

