// Password policy of API.md (NIST SP 800-63B §3.1.1.2): 8 to 128 characters,
// no composition rules, and never a password that appears on a list of
// commonly used ones — those fall first to credential stuffing and guessing.

import { createRequire } from 'node:module';

export const PASSWORD_MIN_CHARACTERS = 8;
export const PASSWORD_MAX_CHARACTERS = 128;

type CommonLanguage = typeof import('@zxcvbn-ts/language-common');

let commonPasswords: ReadonlySet<string> | undefined;

/**
 * The ranked password list of zxcvbn-ts (tens of thousands, all lower case).
 * The package decompresses all its lists when it is loaded, which costs about
 * 2 MB of heap for as long as the process lives: it is required on the first
 * password check (a password set or changed), not at start, since a server
 * that only signs people in never needs it. The synchronous require keeps
 * the check synchronous; it costs a few tens of milliseconds once.
 */
export function commonPasswordList(): ReadonlySet<string> {
  if (!commonPasswords) {
    const { dictionary } = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as CommonLanguage;
    commonPasswords = new Set(dictionary['passwords-common']);
  }
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
