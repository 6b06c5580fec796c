// Phone-number parsing with libphonenumber's full ("max") metadata, loaded on
// the first number parsed rather than at start: the library and its metadata
// (a 157 kB JSON document) take about 2 MB of heap, which a server that has
// not yet sent a code or stored a number does not need. The first parse pays
// the load once (tens of milliseconds); the answers are those of the same
// `libphonenumber-js/max` bundle loaded at import.

import { createRequire } from 'node:module';
import type { PhoneNumber } from 'libphonenumber-js/max';

type ParseWithMaxMetadata = (typeof import('libphonenumber-js/max'))['parsePhoneNumberFromString'];

let parseWithMaxMetadata: ParseWithMaxMetadata | undefined;

/** The number `text` holds, or undefined when it cannot be parsed (synchronous, as its callers are). */
export function parsePhone(text: string): PhoneNumber | undefined {
  parseWithMaxMetadata ??= (createRequire(import.meta.url)('libphonenumber-js/max') as typeof import('libphonenumber-js/max')).parsePhoneNumberFromString;
  return parseWithMaxMetadata(text);
}
