// Phone numbers as people type them ("613-555-0142", "(613) 555-0142",
// "+44 20 7946 0958") → E.164, the only form the API takes. A number without
// a country code is read as Canadian. The server validates again with the full
// metadata; the small metadata here is enough to catch typos early.

import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

export const DEFAULT_PHONE_COUNTRY = 'CA';

/** E.164 ("+16135550142"), or null when the text is not a valid phone number. */
export function toE164(text: string): string | null {
  const parsed = parsePhoneNumberFromString(text.trim(), DEFAULT_PHONE_COUNTRY);
  return parsed?.isValid() ? parsed.number : null;
}

export const PHONE_HINT = 'For example 613-555-0142, or +44 20 7946 0958 outside Canada and the US.';
export const INVALID_PHONE_MESSAGE = 'Enter a complete phone number, like 613-555-0142 (add + and the country code outside Canada and the US).';
