import type { Config } from '../config.js';
import { createConsoleOtpProvider } from './console.js';
import type { OtpProvider, ProviderLogger } from './provider.js';
import type { ProviderMetrics } from '../metrics/port.js';
import { createTwilioVerifyProvider } from './twilio-verify.js';

/** The provider the settings select; config has already refused a console provider in production. */
export function createOtpProvider(config: Pick<Config, 'otp' | 'twilio'>, logger: ProviderLogger, metrics?: ProviderMetrics): OtpProvider {
  if (config.otp.provider === 'twilio-verify') {
    if (!config.twilio) throw new Error('OTP_PROVIDER=twilio-verify needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_VERIFY_SERVICE_SID.');
    return createTwilioVerifyProvider(config.twilio, logger, metrics);
  }
  return createConsoleOtpProvider({ devCode: config.otp.devCode, logger });
}
