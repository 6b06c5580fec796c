// Phone numbers: E.164 normalisation, their country (for OTP_ALLOWED_COUNTRIES),
// and the masked form shown to a user ("+1 ••• ••• ••34").

import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The E.164 form of a valid number, or null. */
export function normalizePhone(text: string): string | null {
  const parsed = parsePhoneNumberFromString(text);
  return parsed && parsed.isValid() ? parsed.number : null;
}

/** ISO country of an E.164 number (e.g. "CA"), or null when unknown. */
export function phoneCountry(phoneE164: string): string | null {
  return parsePhoneNumberFromString(phoneE164)?.country ?? null;
}

/** Only the country code and the last 2 digits show. */
export function maskPhone(phoneE164: string): string {
  const parsed = parsePhoneNumberFromString(phoneE164);
  const countryCode = parsed?.countryCallingCode ?? '';
  const national = parsed?.nationalNumber ?? phoneE164.replace(/\D/g, '');
  const hidden = national.slice(0, -2).replace(/\d/g, '•');
  const grouped = hidden.length === 8 ? `${hidden.slice(0, 3)} ${hidden.slice(3, 6)} ${hidden.slice(6)}` : hidden;
  return `+${countryCode} ${grouped}${national.slice(-2)}`;
}
