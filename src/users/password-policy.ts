// Password policy of API.md (NIST SP 800-63B §3.1.1.2): 8 to 128 characters,
// no composition rules, and never a password that appears on a list of
// commonly used ones — those fall first to credential stuffing and guessing.

import { dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN_CHARACTERS = 8;
export const PASSWORD_MAX_CHARACTERS = 128;

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * The ranked password list of zxcvbn-ts (tens of thousands, all lower case),
 * decompressed once on first use rather than at import.
 */
export function commonPasswordList(): ReadonlySet<string> {
  commonPasswords ??= new Set(dictionary['passwords-common']);
  return commonPasswords;
}

/** A sentence for the user when the password is refused, else null. */
export function checkPasswordPolicy(password: string): string | null {
  // Characters are code points, as JSON Schema's minLength counts them.
  const length = [...password].length;
  if (length < PASSWORD_MIN_CHARACTERS) return `Use at least ${PASSWORD_MIN_CHARACTERS} characters.`;
  if (length > PASSWORD_MAX_CHARACTERS) return `Use at most ${PASSWORD_MAX_CHARACTERS} characters.`;
  if (commonPasswordList().has(password.toLowerCase())) {
    return 'This password is too common: it is on a list of frequently used passwords. Choose another one.';
  }
  return null;
}
