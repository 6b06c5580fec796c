// The second factors in a real browser (Debian's Chromium): the admin sets up
// an authenticator app on the account page (QR code drawn locally, the key
// shown for manual entry), confirms it with the code computed from the shown
// key, sees the recovery codes once; signs out; signs in with an
// authenticator code, then with a recovery code. Nothing secret is left in
// the browser's storage.

import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeAtStep, currentStep } from '../../src/auth/factors/totp.js';
import { ADMIN } from '../helpers/app.js';
import { PORTAL_TEST_ENV } from '../portal/support.js';
import { signInInBrowser, startBrowserRig, type BrowserRig } from './browser-support.js';

let rig: BrowserRig;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  rig = await startBrowserRig({ env: { ...PORTAL_TEST_ENV } });
  context = await rig.browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
}, 180_000);

afterAll(async () => {
  await context?.close();
  await rig?.close();
});

async function passwordStep() {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
}

async function signOut() {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

async function storageText(): Promise<string> {
  // Runs in the page: the test's own compiler settings have no DOM types, so the globals are reached untyped.
  return page.evaluate(() => {
    const scope = globalThis as unknown as { localStorage: object; sessionStorage: object; document: { cookie: string } };
    return JSON.stringify({ local: { ...scope.localStorage }, session: { ...scope.sessionStorage }, cookie: scope.document.cookie });
  });
}

describe('authenticator app and recovery codes in the browser', () => {
  let secret = '';
  let recoveryCodes: string[] = [];

  it('sets up an authenticator on the account page: a local QR code, the key, a first code, ten recovery codes shown once', async () => {
    await signInInBrowser(page, rig.baseUrl);
    await page.getByRole('link', { name: /your account/ }).click();
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const code = codeAtStep(decodeBase32IgnorePadding(secret), currentStep(rig.t.clock));
    await page.getByLabel('Code from the app').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    const list = page.getByRole('list', { name: 'Recovery codes' });
    await list.waitFor();
    recoveryCodes = (await list.getByRole('listitem').allTextContents()).map((text) => text.trim());
    expect(recoveryCodes).toHaveLength(10);
    expect(await page.getByRole('button', { name: 'Download codes' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByText('Recovery codes left: 10.').waitFor();
    const stored = await storageText();
    for (const secretText of [secret, ...recoveryCodes]) expect(stored).not.toContain(secretText);
  }, 60_000);

  it('signs out, then signs in with an authenticator code: the code step says which factor it expects and offers the others', async () => {
    await signOut();
    rig.t.clock.advanceSeconds(30); // the enrollment spent this step
    await passwordStep();
    await page.getByText('Enter the 6-digit code your authenticator app shows').waitFor();
    for (const name of ['Text me a code', 'Call me', 'Use a recovery code']) expect(await page.getByRole('button', { name }).isVisible()).toBe(true);
    const code = codeAtStep(decodeBase32IgnorePadding(secret), currentStep(rig.t.clock));
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    expect(await storageText()).not.toContain(secret);
  }, 60_000);

  it('signs out, then signs in with a recovery code; the account page shows one fewer', async () => {
    await signOut();
    await passwordStep();
    await page.getByRole('button', { name: 'Use a recovery code' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    await page.getByRole('link', { name: /your account/ }).click();
    await page.getByText('Recovery codes left: 9.').waitFor();
    expect(await storageText()).not.toContain(recoveryCodes[0]!);
  }, 60_000);
});
