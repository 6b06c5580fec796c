// The "Rate limits" screen in a real browser: the admin sees who is locked
// right now (an email locked by wrong passwords, an IP over its sign-in
// window), clears one row with its own "Clear" button, and the row is gone
// while the other stays. Runs as the "browser" project only where
// /usr/bin/chromium exists.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInInBrowser, startBrowserRig, type BrowserRig } from './browser-support.js';

const STUFFER_IP = '203.0.113.50';

describe('the Rate limits screen', () => {
  let rig: BrowserRig;

  beforeAll(async () => {
    rig = await startBrowserRig({ env: { LOCKOUT_PASSWORD: '2/15m', LIMIT_LOGIN_PER_IP: '3/10m' } });
    // Wrong passwords for an unknown email from one address: the email locks, the address's sign-in window fills.
    for (let i = 0; i < 3; i += 1) {
      await rig.t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: STUFFER_IP,
        headers: { 'content-type': 'application/json' },
        payload: { email: 'ghost@example.test', password: 'wrong-password-1' },
      });
    }
  });

  afterAll(async () => {
    await rig?.close();
  });

  it('lists who is refused now and clears one row', async () => {
    const page = await rig.browser.newPage();
    await signInInBrowser(page, rig.baseUrl);
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByRole('link', { name: 'Rate limits' }).click();
    await page.getByRole('heading', { name: 'Rate limits', exact: true }).waitFor();

    const table = page.getByRole('table', { name: 'Limited or locked subjects, the longest wait first' });
    const emailRow = table.getByRole('row').filter({ hasText: 'ghost@example.test' });
    const ipRow = table.getByRole('row').filter({ hasText: STUFFER_IP });
    await emailRow.waitFor();
    expect(await emailRow.textContent()).toContain('ACCOUNT_LOCKED');
    expect(await emailRow.textContent()).toContain('15 min');
    expect(await ipRow.textContent()).toContain('LOGIN_RATE_LIMITED');
    // The longest wait first: the 15-minute lock above the 10-minute window.
    expect(await table.locator('tbody tr').first().textContent()).toContain('ghost@example.test');
    await page.screenshot({ path: '/tmp/boreal-web-rate-limits.png', fullPage: true });

    await emailRow.getByRole('button', { name: 'Clear ghost@example.test' }).click();
    await page.getByRole('status').filter({ hasText: 'Cleared 1 counter for ghost@example.test.' }).waitFor();
    await expect.poll(() => emailRow.count()).toBe(0);
    expect(await ipRow.count()).toBe(1);

    // The server agrees: the email may sign in again (a wrong password is 401, not 429).
    const again = await rig.t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '203.0.113.51',
      headers: { 'content-type': 'application/json' },
      payload: { email: 'ghost@example.test', password: 'wrong-password-1' },
    });
    expect(again.statusCode).toBe(401);
    await page.close();
  });
});
