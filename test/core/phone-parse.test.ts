// The phone numbers are parsed with libphonenumber's core and the full
// metadata loaded on first use (core/phone-parse.ts); `libphonenumber-js/max`
// is that same pairing loaded at import. Their answers must not differ, or
// the lazy load would have changed which numbers are valid, their country
// and their masked form.

import fc from 'fast-check';
import { parsePhoneNumberFromString as parseWithMaxBundle } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { maskPhone } from '../../src/core/phone-mask.js';
import { parsePhone } from '../../src/core/phone-parse.js';
import { normalizePhone, phoneCountry } from '../../src/otp/phone.js';

const view = (parsed: ReturnType<typeof parsePhone>) =>
  parsed && { number: parsed.number, valid: parsed.isValid(), country: parsed.country, callingCode: parsed.countryCallingCode, national: parsed.nationalNumber, type: parsed.getType() };

const SAMPLES = ['+16135550123', '+1 613 555 0123', '+442079460958', '+33612345678', '+81312345678', '+61491570156', '+5511987654321', '+12025550199', '6135550123', '+999123', '', 'not a number', '+1613555012345678'];

describe('phone numbers parsed with the full metadata loaded on first use', () => {
  it.each(SAMPLES)('%j parses as libphonenumber-js/max parses it', (text) => {
    expect(view(parsePhone(text))).toEqual(view(parseWithMaxBundle(text)));
  });

  it('any text of digits, "+", spaces and dashes parses as libphonenumber-js/max parses it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/), (text) => {
        expect(view(parsePhone(text))).toEqual(view(parseWithMaxBundle(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('normalises, finds the country and masks as before', () => {
    expect(normalizePhone('+1 (613) 555-0123')).toBe('+16135550123');
    expect(normalizePhone('+1 613 555')).toBeNull();
    expect(phoneCountry('+442079460958')).toBe('GB');
    expect(maskPhone('+16135550123')).toBe('+1 ••• ••• ••23');
  });
});
