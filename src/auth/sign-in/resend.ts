// Sending the code of a pending sign-in again (API.md "POST /api/auth/otp/resend").
// The cooldown is claimed first, atomically, so of parallel resends only one
// sends and only that one counts per phone and per IP.

import { AppError, tooManyRequests } from '../../errors.js';
import { maskPhone } from '../../core/phone-mask.js';
import { isExpired, openChallenge } from './challenge-state.js';
import type { ResendResult, SignInContext } from './index.js';
import type { DeliveryChannel } from '../../otp/provider.js';

export async function resend(context: SignInContext, input: { tempToken: string; ip: string; channel?: DeliveryChannel }): Promise<ResendResult> {
  const { challenges, sending, factors, config, clock } = context;
  const { tempToken, ip } = input;
  const channel = input.channel ?? 'sms';
  const cooldownSeconds = config.otp.resendCooldownSeconds;

  const challenge = await openChallenge(challenges, tempToken, 'resend');
  if (isExpired(challenge, clock)) {
    if (await challenges.end(challenge.id, 'expired')) await factors.release(challenge);
    throw new AppError('INVALID_TEMP_TOKEN');
  }
  const phone = challenge.phone;
  if (phone === null) throw new AppError('PHONE_NOT_ENROLLED'); // an authenticator sign-in of a user without a phone
  sending.refuseIfCountryNotAllowed(phone, channel);

  const tooSoon = (lastSentAt: Date | null) => {
    const cooldownEnds = (lastSentAt?.getTime() ?? 0) + cooldownSeconds * 1000;
    return tooManyRequests('OTP_RESEND_TOO_SOON', 'A code was sent moments ago.', (cooldownEnds - clock.now().getTime()) / 1000);
  };
  const cooldownOver = (challenge.lastSentAt?.getTime() ?? 0) + cooldownSeconds * 1000 <= clock.now().getTime();
  if (!cooldownOver) throw tooSoon(challenge.lastSentAt);
  if (!(await challenges.claimResend(challenge.id, cooldownSeconds))) {
    // A parallel resend won: its send starts the wait, so read when it was.
    const current = await openChallenge(challenges, tempToken, 'resend');
    throw tooSoon(current.lastSentAt);
  }
  try {
    await sending.consumeSendAllowance(phone, ip, channel);
  } catch (error) {
    // Nothing was sent: the cooldown claimed for it is given back.
    await challenges.releaseResend(challenge.id, challenge.lastSentAt);
    throw error;
  }
  const { providerRef, sentEvent } = await sending.sendCode(challenge.userId, phone, ip, channel);
  await context.db.transaction(async (tx) => {
    await challenges.recordSend(challenge.id, providerRef ?? challenge.providerRef, tx);
    await context.audit.record(sentEvent, tx);
  });
  return { sent: true, resendAfter: cooldownSeconds, otp: { channel, to: maskPhone(phone) } };
}
