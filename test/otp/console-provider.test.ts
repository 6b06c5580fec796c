// The development code provider (src/otp/console.ts): it prints the fixed
// code with whom it is for, and a logger set above warn, which would print
// nothing, costs no lookup of whom either.

import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConsoleOtpProvider } from '../../src/otp/console.js';

function providerAt(level: string) {
  const lines: string[] = [];
  const lookups: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (lines.push(JSON.parse(String(chunk)).msg), done()) });
  const provider = createConsoleOtpProvider({
    devCode: '123456',
    logger: pino({ level }, sink),
    recipientsOf: async (phone) => (lookups.push(phone), ['admin@boreal.com']),
  });
  return { provider, lines, lookups };
}

describe('the console code provider', () => {
  it('at warn: prints the code and whom it is for (masked)', async () => {
    const { provider, lines, lookups } = providerAt('warn');
    await provider.startVerification('+16135550100', 'sms');
    expect(lookups).toEqual(['+16135550100']);
    expect(lines).toEqual(['DEV MODE: Your OTP code is: 123456 (for a•••@boreal.com)']);
  });

  it('above warn: prints nothing and looks nobody up', async () => {
    const { provider, lines, lookups } = providerAt('error');
    expect(await provider.startVerification('+16135550100', 'sms')).toEqual({ providerRef: null });
    expect({ lines, lookups }).toEqual({ lines: [], lookups: [] });
  });
});
