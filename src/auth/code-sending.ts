// Sending a sign-in code: the country allowlist, the allowance per phone and
// per IP (SMS pumping), the send itself with its audit, and letting a
// provider verification go when its challenge ends. The sign-in steps
// (sign-in/) decide when to send; this file decides whether and how.

import { AppError, tooManyRequests } from '../errors.js';
import type { Config } from '../config.js';
import type { AuditEventInput, AuditLog } from '../audit/audit.js';
import type { DbExecutor } from '../db/connect.js';
import { type Limits } from '../limits/limits.js';
import { limitKeys } from '../limits/limit-keys.js';
import type { DeliveryChannel, OtpProvider } from '../otp/provider.js';
import { maskPhone } from '../core/phone-mask.js';
import { phoneCountry } from '../otp/phone.js';
import type { Challenge } from './otp-challenges.js';
import { NO_SIGN_IN_METRICS, type SignInMetrics } from '../metrics/port.js';

export interface CodeSendingDeps {
  /** How sends ended, by channel (API.md "Metrics"); none in tests that do not look. */
  metrics?: Pick<SignInMetrics, 'otpSend'>;
  config: Pick<Config, 'otp' | 'limits'>;
  limits: Limits;
  audit: AuditLog;
  otp: OtpProvider;
}

export interface CodeSending {
  refuseIfCountryNotAllowed(phone: string, channel?: DeliveryChannel): void;
  consumeSendAllowance(phone: string, ip: string, channel?: DeliveryChannel, executor?: DbExecutor): Promise<void>;
  /**
   * Starts a verification at the provider by `channel` (default sms); returns
   * its reference and the OTP_SENT event, which the caller records in the
   * transaction that stores the send. A failed send is audited here.
   */
  sendCode(userId: string, phone: string, ip: string, channel?: DeliveryChannel): Promise<{ providerRef: string | null; sentEvent: AuditEventInput }>;
  releaseProvider(challenge: Pick<Challenge, 'phone' | 'providerRef'>): Promise<void>;
}

export function createCodeSending({ config, limits, audit, otp, metrics = NO_SIGN_IN_METRICS }: CodeSendingDeps): CodeSending {
  const otpRateLimited = (retryAfterSeconds: number) =>
    tooManyRequests('OTP_RATE_LIMITED', 'Too many OTP requests.', retryAfterSeconds);

  return {
    refuseIfCountryNotAllowed(phone, channel = 'sms') {
      const country = phoneCountry(phone);
      if (!country || !config.otp.allowedCountries.includes(country)) {
        metrics.otpSend(channel, 'country_not_allowed');
        throw new AppError('PHONE_COUNTRY_NOT_ALLOWED');
      }
    },

    /**
     * Counts this send per phone and per IP, in one statement (`executor`: the
     * login's transaction). A send refused by either is counted in neither.
     * (A send then attempted at the provider stays counted, even if it failed.)
     */
    async consumeSendAllowance(phone, ip, channel = 'sms', executor) {
      const decision = await limits.consumeAll([
        { key: limitKeys.otpPerPhone(phone), rules: config.limits.otpPerPhone },
        { key: limitKeys.otpPerIp(ip), rules: config.limits.otpPerIp },
      ], executor);
      if (!decision.allowed) {
        metrics.otpSend(channel, 'rate_limited');
        throw otpRateLimited(decision.retryAfterSeconds);
      }
    },

    async sendCode(userId, phone, ip, channel = 'sms') {
      try {
        const { providerRef } = await otp.startVerification(phone, channel);
        metrics.otpSend(channel, 'sent');
        return { providerRef, sentEvent: { type: 'OTP_SENT', userId, actorId: userId, ip, detail: { provider: otp.name, to: maskPhone(phone), channel } } };
      } catch (error) {
        const code = error instanceof AppError ? error.code : 'OTP_PROVIDER_UNAVAILABLE';
        metrics.otpSend(channel, code === 'OTP_DELIVERY_FAILED' ? 'delivery_failed' : code === 'OTP_RATE_LIMITED' ? 'rate_limited' : 'provider_unavailable');
        await audit.record({ type: 'OTP_SEND_FAILED', userId, actorId: userId, ip, detail: { provider: otp.name, code } });
        throw error instanceof AppError ? error : new AppError('OTP_PROVIDER_UNAVAILABLE', { cause: error });
      }
    },

    /** A challenge that ended lets its provider verification go, so the next login is not refused by the provider. */
    async releaseProvider(challenge) {
      if (challenge.phone === null) return; // nothing was sent: an authenticator sign-in
      await otp.cancelVerification({ phoneE164: challenge.phone, providerRef: challenge.providerRef });
    },
  };
}
