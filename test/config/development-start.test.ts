// A development start a person can read (API.md "Development mode"): where
// to go and the seeded sign-in, the dev code line saying whom it is for
// (masked), one log line per request, pretty logs outside production and
// JSON in production.

import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/logging.js';
import { maskEmail } from '../../src/otp/console.js';
import { developmentBanner, startServer } from '../../src/server.js';
import { scratchDirectory } from '../production/built-server.js';

describe('the start banner', () => {
  it('names the portal, the API reference and the seeded sign-in', () => {
    const banner = developmentBanner({ address: 'http://127.0.0.1:3000', seeded: true, otpProvider: 'console', devCode: '123456' });
    expect(banner).toContain('Staff portal   http://127.0.0.1:3000/app/');
    expect(banner).toContain('API reference  http://127.0.0.1:3000/docs');
    expect(banner).toContain('Sign in        admin@boreal.com / admin123');
    expect(banner).toMatch(/always 123456/);
  });

  it('shows no sign-in when the database was not seeded, and no code when codes are really sent', () => {
    const banner = developmentBanner({ address: 'http://127.0.0.1:3000', seeded: false, otpProvider: 'twilio-verify', devCode: '123456' });
    expect(banner).not.toContain('admin123');
    expect(banner).not.toContain('123456');
    expect(banner).toContain('/app/');
  });
});

describe('maskEmail', () => {
  it.each([
    ['admin@boreal.com', 'a•••@boreal.com'],
    ['k@x.example', 'k•••@x.example'],
    ['no-at-sign', '•••'],
  ])('%s → %s', (email, masked) => expect(maskEmail(email)).toBe(masked));
});

describe('a development server, as a person sees it', () => {
  it('prints the banner, says whom a code is for, and logs one line per request', { timeout: 120_000 }, async () => {
    const dataDir = await scratchDirectory('boreal-devstart-');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const server = await startServer(loadConfig({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }), pino(loggerOptions('info'), sink));
    try {
      const messages = () => lines.map((line) => JSON.parse(line).msg as string);
      const banner = messages().find((msg) => msg.startsWith('Boreal Portal is running'));
      expect(banner).toContain(`Staff portal   ${server.address}/app/`);
      expect(banner).toContain(`API reference  ${server.address}/docs`);
      expect(banner).toContain('Sign in        admin@boreal.com / admin123');

      const before = lines.length;
      const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'admin@boreal.com', password: 'admin123' } });
      expect(login.statusCode).toBe(200);
      const requestLines = messages().slice(before);
      expect(requestLines).toContain('DEV MODE: Your OTP code is: 123456 (for a•••@boreal.com)');
      expect(requestLines.filter((msg) => msg.includes('/api/auth/login'))).toEqual(['POST /api/auth/login → 200 (' + JSON.parse(lines.at(-1)!).responseTimeMs + ' ms)']);
      expect(lines.join('')).not.toMatch(/incoming request|request completed/);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('log format', () => {
  const logLine = (isProduction: boolean) =>
    new Promise<string>((resolve, reject) => {
      const script = `import { createLogger } from './src/server.ts'; createLogger({ logLevel: 'info', isProduction: ${isProduction} }).info({ detail: 42 }, 'hello there');`;
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 60_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    });

  it('is pretty outside production (pino-pretty installed) and JSON in production', { timeout: 120_000 }, async () => {
    const [development, production] = await Promise.all([logLine(false), logLine(true)]);
    expect(development).toMatch(/INFO.*hello there/);
    expect(() => JSON.parse(development)).toThrow();
    expect(JSON.parse(production)).toMatchObject({ msg: 'hello there', detail: 42, level: 30 });
  });
});
