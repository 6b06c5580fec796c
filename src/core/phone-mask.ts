import { parsePhone } from './phone-parse.js';

/**
 * The one masked form of a phone number, for answers, audit rows and logs:
 * only the country code and the last 2 digits show ("+1 ••• ••• ••34").
 */
export function maskPhone(phoneE164: string): string {
  const parsed = parsePhone(phoneE164);
  const countryCode = parsed?.countryCallingCode ?? '';
  const national = parsed?.nationalNumber ?? phoneE164.replace(/\D/g, '');
  const hidden = national.slice(0, -2).replace(/\d/g, '•');
  const grouped = hidden.length === 8 ? `${hidden.slice(0, 3)} ${hidden.slice(3, 6)} ${hidden.slice(6)}` : hidden;
  return `+${countryCode} ${grouped}${national.slice(-2)}`;
}
