import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, commonPasswordList } from '../../src/users/password-policy.js';
import { checkPasswordPolicy as exportedForTheCli } from '../../src/users/user-admin.js';

describe('the password policy', () => {
  it('uses a common-password list of at least 10,000 entries', () => {
    expect(commonPasswordList().size).toBeGreaterThanOrEqual(10_000);
  });

  it.each(['password', 'Password1', 'qwertyuiop', 'iloveyou', 'ADMIN123', 'baseball', '12345678'])('refuses the common password %s, whatever its case', (password) => {
    expect(checkPasswordPolicy(password)).toMatch(/too common/);
  });

  it.each([
    ['seven c', /at least 8 characters/],
    ['x'.repeat(129), /at most 128 characters/],
    ['🍁🍁🍁🍁🍁🍁🍁', /at least 8 characters/],
  ])('refuses %j by length', (password, message) => {
    expect(checkPasswordPolicy(password)).toMatch(message);
  });

  it.each(['correct horse battery staple', 'eightchr', 'x'.repeat(128), '🍁🍁🍁🍁🍁🍁🍁🍁', 'no composition rules here'])(
    'accepts %j: 8 to 128 characters, no composition rules',
    (password) => {
      expect(checkPasswordPolicy(password)).toBeNull();
    },
  );

  it('is the function user-admin exports for the CLI', () => {
    expect(exportedForTheCli).toBe(checkPasswordPolicy);
  });
});
