import type { Config } from '../config.js';
import { createConsoleOtpProvider } from './console.js';
import type { OtpProvider, ProviderLogger } from './provider.js';
import type { ProviderMetrics } from '../metrics/port.js';

/** What the provider may use beside the settings. */
export interface OtpProviderExtras {
  /** Twilio's error codes, counted. */
  metrics?: ProviderMetrics;
  /** Whom a console code is for (development). */
  recipientsOf?: (phoneE164: string) => Promise<string[]>;
}

/**
 * The provider the settings select; config has already refused a console
 * provider in production. Twilio's SDK (tens of MB once loaded) is imported
 * only when the settings choose Twilio.
 */
export async function createOtpProvider(config: Pick<Config, 'otp' | 'twilio'>, logger: ProviderLogger, extras: OtpProviderExtras = {}): Promise<OtpProvider> {
  if (config.otp.provider === 'twilio-verify') {
    if (!config.twilio) throw new Error('OTP_PROVIDER=twilio-verify needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_VERIFY_SERVICE_SID.');
    const { createTwilioVerifyProvider } = await import('./twilio-verify.js');
    return createTwilioVerifyProvider(config.twilio, logger, extras.metrics);
  }
  return createConsoleOtpProvider({ devCode: config.otp.devCode, logger, recipientsOf: extras.recipientsOf });
}
