// Account lifecycle in Debian's Chromium (issue #10): an admin invites a user
// and copies the link; the invitee opens it, sets a password with the
// policy's hints, signs in with the code, changes the password, and ends
// another of their sessions from the account page. A used link says so and
// says to ask an admin for a new one.

import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_TEST_ENV } from '../portal/support.js';
import { signInInBrowser, startBrowserRig, type BrowserRig } from './browser-support.js';

let rig: BrowserRig;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const context = await rig.browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

beforeAll(async () => {
  rig = await startBrowserRig({ env: { ...PORTAL_TEST_ENV } });
}, 180_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await rig?.close();
});

describe('invitation, password, sessions', () => {
  const email = 'invited.person@example.test';
  let linkPath = '';

  it('an admin creates a user without a password and gets a link to copy', async () => {
    const admin = await newPage();
    await signInInBrowser(admin, rig.baseUrl);
    await admin.getByRole('heading', { name: 'Applications' }).waitFor();
    await admin.goto(`${rig.baseUrl}/app/#/users`);
    await admin.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    await admin.getByLabel('Invite: the user chooses their own password through a link').check();
    expect(await admin.getByLabel('Password', { exact: true }).count()).toBe(0);
    await admin.getByLabel('Email', { exact: true }).fill(email);
    await admin.getByLabel('Name', { exact: true }).fill('Invited Person');
    await admin.getByLabel('Phone (for sign-in codes)').fill('613-555-0177');
    await admin.getByRole('button', { name: 'Create user' }).click();
    const link = await admin.getByLabel('Password-setup link').inputValue();
    expect(link).toMatch(/\/app\/set-password#token=[\w-]{43}$/);
    linkPath = new URL(link).pathname + new URL(link).hash;
    // The list shows the user as invited.
    await admin.getByRole('cell', { name: email }).waitFor();
    expect(await admin.getByRole('row', { name: new RegExp(email) }).getByRole('cell', { name: 'Invited', exact: true }).count()).toBe(1);
  });

  let invitee: Page;
  it('the link sets a password, then the sign-in opens with the email filled in; password and code sign in', async () => {
    invitee = await newPage();
    await invitee.goto(`${rig.baseUrl}${linkPath}`);
    await invitee.getByRole('heading', { name: 'Choose your password' }).waitFor();
    // The token is wiped from the address bar.
    expect(invitee.url()).not.toContain('token=');
    expect(await invitee.getByText('Common passwords are refused').count()).toBeGreaterThan(0);
    // The policy's refusal is shown at the field, and the link stays good.
    await invitee.getByLabel('New password', { exact: true }).fill('password123');
    await invitee.getByLabel('New password again').fill('password123');
    await invitee.getByRole('button', { name: 'Set password' }).click();
    // The server's whole sentence stands alone, not after the field's label ("New password This password …").
    await invitee.getByText(/^This password is too common/).waitFor();
    await invitee.getByLabel('New password', { exact: true }).fill('boreal lakes in winter 1');
    await invitee.getByLabel('New password again').fill('boreal lakes in winter 1');
    await invitee.getByRole('button', { name: 'Set password' }).click();
    await invitee.getByRole('heading', { name: 'Sign in' }).waitFor();
    await invitee.getByText('Your password is set').waitFor();
    expect(await invitee.getByLabel('Email', { exact: true }).inputValue()).toBe(email);
    await signInInBrowser(invitee, null, email, 'boreal lakes in winter 1');
    await invitee.getByRole('heading', { name: 'Applications' }).waitFor();
  });

  it('a used link says so and says to ask an admin for a new one', async () => {
    const page = await newPage();
    await page.goto(`${rig.baseUrl}${linkPath}`);
    await page.getByLabel('New password', { exact: true }).fill('another lake passphrase 2');
    await page.getByLabel('New password again').fill('another lake passphrase 2');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').filter({ hasText: 'Ask an administrator for a new link' }).waitFor();
  });

  it('the account page changes the password and ends another session', async () => {
    await invitee.getByRole('link', { name: /Invited Person/ }).click();
    await invitee.getByRole('heading', { name: 'Your account' }).waitFor();
    await invitee.getByLabel('Current password').fill('boreal lakes in winter 1');
    await invitee.getByLabel('New password', { exact: true }).fill('northern lights at dusk 3');
    await invitee.getByLabel('New password again').fill('northern lights at dusk 3');
    await invitee.getByRole('button', { name: 'Change password' }).click();
    await invitee.getByText('Your password was changed').waitFor();

    // A second browser signs in with the new password.
    const other = await newPage();
    await signInInBrowser(other, rig.baseUrl, email, 'northern lights at dusk 3');
    await other.getByRole('heading', { name: 'Applications' }).waitFor();

    await invitee.reload();
    await invitee.getByRole('heading', { name: 'Your account' }).waitFor();
    const rows = invitee.getByRole('table', { name: 'Your sessions' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const otherRow = rows.filter({ hasNotText: 'this session' });
    await otherRow.getByRole('button', { name: /Sign out/ }).click();
    const dialog = invitee.getByRole('dialog', { name: 'Sign out this session?' });
    await dialog.getByRole('button', { name: 'Sign out' }).click();
    await invitee.getByText('The session was signed out.').waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    await invitee.screenshot({ path: '/tmp/account-page.png', fullPage: true });

    // The other browser is signed out at once: a reload lands on the sign-in.
    await other.reload();
    await other.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
