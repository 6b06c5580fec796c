// The staff UI in a real browser (Debian's Chromium through playwright-core,
// never a downloaded one), against a test app listening on loopback: a wrong
// password is refused with a readable message; the admin signs in with the
// password and the console code, sees the applications, creates one and
// moves it through the workflow; the session ends with "Sign out".
// Runs as the "browser" project only where /usr/bin/chromium exists.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/http/routes/web.js';
import { ADMIN, createTestApp, type TestApp } from '../helpers/app.js';
import { PORTAL_TEST_ENV } from '../portal/support.js';

const ROOT = packageRoot();
const SCREENSHOTS = '/tmp';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Builds the UI once when dist/web is missing (`npm run build` builds it too). */
async function ensureWebBuilt(): Promise<void> {
  if (existsSync(path.join(ROOT, 'dist', 'web', 'index.html'))) return;
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'web'], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`vite build failed:\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

let t: TestApp;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  await ensureWebBuilt();
  // After the build: the app registers the static files only when dist/web exists.
  t = await createTestApp({ env: { ...PORTAL_TEST_ENV } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
});

afterEach(async () => {
  await context?.close();
});

async function passwordStep(email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('the staff web UI in Chromium', () => {
  it('a wrong password shows "The email or password is incorrect." and stays on the password step', async () => {
    await passwordStep(ADMIN.email, 'not-the-password');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('The email or password is incorrect.');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}/boreal-web-wrong-password.png` });
  });

  it('signs in with the password and the code, lists applications, creates one and changes its status, then signs out', async () => {
    // GET / sends the browser to /app/.
    await passwordStep(ADMIN.email, ADMIN.password);
    expect(new URL(page.url()).pathname).toBe('/app/');

    // The code step: the masked phone, resend waiting for its cooldown.
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    const masked = await page.locator('.phone').textContent();
    expect(masked).toMatch(/^\+1 .*00$/);
    expect(masked).not.toContain('5550100');
    expect(await page.getByRole('button', { name: 'Resend code' }).isDisabled()).toBe(true);
    expect(await page.getByText(/You can ask for a new code in \d+ s\./).isVisible()).toBe(true);

    // A wrong code says how many attempts remain.
    await page.getByLabel('Code', { exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/^That code is incorrect\. \d+ attempts? remaining\.$/);
    await page.screenshot({ path: `${SCREENSHOTS}/boreal-web-code-step.png` });

    await page.getByLabel('Code', { exact: true }).fill('123456');
    await page.getByRole('button', { name: 'Verify' }).click();

    // The applications list.
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByText(/No applications match\.|shown/).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Users' }).isVisible()).toBe(true);

    // A new application.
    await page.getByRole('link', { name: 'New application' }).click();
    await page.getByRole('heading', { name: 'New application' }).waitFor();
    await page.getByLabel('Business name').fill('Aurora Timber Ltd.');
    await page.getByLabel('Contact name').fill('Maple Tremblay');
    await page.getByLabel('Contact email').fill('maple@aurora-timber.example');
    await page.getByLabel('Contact phone').fill('+16135550177');
    await page.getByLabel('Amount requested').fill('25,000.50');
    await page.getByLabel('Product', { exact: true }).selectOption('equipment_financing');
    await page.getByRole('button', { name: 'Create application' }).click();

    // Its detail: submitted, one history row, the workflow's next steps as buttons.
    await page.getByRole('heading', { name: /APP-\d{6,} · Aurora Timber Ltd\./ }).waitFor();
    expect(await page.getByTestId('application-status').textContent()).toBe('Submitted');
    expect(await page.getByText(/^CAD\s25,000\.50$/).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Start review' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Withdraw' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    await page.getByLabel('Note (optional)').fill('Documents received.');
    await page.getByRole('button', { name: 'Start review' }).click();
    await page.getByRole('status').filter({ hasText: 'Status changed to In review.' }).waitFor();
    expect(await page.getByTestId('application-status').textContent()).toBe('In review');
    expect(await page.getByRole('button', { name: 'Approve' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Decline' }).isVisible()).toBe(true);
    const historyRows = page.getByRole('table', { name: 'Status history, oldest first' }).locator('tbody tr');
    await expect.poll(() => historyRows.count()).toBe(2);
    expect(await historyRows.nth(1).textContent()).toContain('Documents received.');
    await page.screenshot({ path: `${SCREENSHOTS}/boreal-web-application.png`, fullPage: true });

    // Past the access token's life (the server's clock): the next call meets 401 TOKEN_EXPIRED, refreshes once and retries.
    const refreshTokenBefore = await page.evaluate('sessionStorage.getItem("boreal.refreshToken")');
    t.clock.advanceSeconds(t.config.jwt.accessTokenTtlSeconds + 60);

    // Back in the list, with its new status.
    await page.getByRole('link', { name: '← Applications' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Aurora Timber Ltd.' });
    await row.waitFor();
    expect(await row.textContent()).toContain('In review');
    await page.screenshot({ path: `${SCREENSHOTS}/boreal-web-applications.png`, fullPage: true });

    const refreshTokenAfter = await page.evaluate('sessionStorage.getItem("boreal.refreshToken")');
    expect(refreshTokenAfter).toEqual(expect.any(String));
    expect(refreshTokenAfter).not.toBe(refreshTokenBefore);

    // The status filter: none declined yet.
    await page.getByLabel('Status', { exact: true }).selectOption('declined');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No applications match.').waitFor();

    // A reload loses the in-memory access token; the refresh token in sessionStorage resumes the session.
    await page.reload();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();

    // Admin screens: clear the limits of an email, list the users.
    await page.getByRole('link', { name: 'Rate limits' }).click();
    await page.getByRole('heading', { name: 'Clear rate limits' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
    await page.getByRole('button', { name: 'Clear rate limits' }).click();
    await page.getByRole('status').filter({ hasText: /^Cleared \d+ counters? for admin@boreal\.com\.$/ }).waitFor();

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('row').filter({ hasText: ADMIN.email }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/boreal-web-users.png`, fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
