// Shared pieces of the browser suites: Debian's Chromium (never a downloaded
// browser), the built UI, a test app listening on loopback, and the sign-in
// with the password and the console code.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { packageRoot } from '../../src/http/routes/web.js';
import { ADMIN, createTestApp, type TestApp, type TestAppOptions } from '../helpers/app.js';

const ROOT = packageRoot();
export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the UI once when dist/web is missing (`npm run build:web` builds it too). */
export async function ensureWebBuilt(): Promise<void> {
  if (existsSync(path.join(ROOT, 'dist', 'web', 'index.html'))) return;
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web'], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`vite build failed:\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

export interface BrowserRig {
  t: TestApp;
  baseUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startBrowserRig(options: TestAppOptions): Promise<BrowserRig> {
  await ensureWebBuilt();
  // After the build: the app registers the static files only when dist/web exists.
  const t = await createTestApp(options);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS });
  return {
    t,
    baseUrl,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** The password step and the console code (123456); ends on the applications list. */
export async function signInInBrowser(page: Page, baseUrl: string | null, email: string = ADMIN.email, password: string = ADMIN.password): Promise<void> {
  if (baseUrl !== null) await page.goto(`${baseUrl}/app/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
  await page.getByLabel('Code', { exact: true }).fill('123456');
  await page.getByRole('button', { name: 'Verify' }).click();
}
