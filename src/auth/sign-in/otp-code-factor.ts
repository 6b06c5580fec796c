// The first second factor: a code sent by SMS (or read out in a call) and
// checked by the OTP provider (Twilio Verify, or the console provider in
// development). Starting it is where SMS pumping is answered: a phone must be
// enrolled and in an allowed country, and the send counts per phone and per IP.

import { AppError } from '../../errors.js';
import type { OtpProvider } from '../../otp/provider.js';
import type { CodeSending } from '../code-sending.js';
import type { StartableFactor } from './second-factor.js';

export function createOtpCodeFactor(deps: { otp: OtpProvider; sending: CodeSending }): StartableFactor {
  const { otp, sending } = deps;
  return {
    amr: 'sms',

    async admit(user, ip, executor) {
      if (!user.phone) throw new AppError('PHONE_NOT_ENROLLED');
      sending.refuseIfCountryNotAllowed(user.phone);
      await sending.consumeSendAllowance(user.phone, ip, 'sms', executor);
    },

    async start(user, ip) {
      const phone = user.phone!; // admitted: enrolled
      const { providerRef, sentEvent } = await sending.sendCode(user.id, phone, ip);
      return { channel: 'sms', phone, provider: otp.name, providerRef, sentEvent };
    },

    async judge(challenge, input) {
      // A challenge without a phone was not started by this factor: nothing was sent, so no code can be right.
      if (challenge.phone === null || input.code === undefined) return 'wrong';
      return otp.checkCode({ phoneE164: challenge.phone, code: input.code, providerRef: challenge.providerRef });
    },
  };
}
