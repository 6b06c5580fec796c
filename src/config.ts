// Every setting of API.md, parsed and checked once at boot into one typed
// object (src/config/*: the schema, the value formats, the rules between
// settings). A bad or missing value stops the start with one line per
// problem, naming the setting and how to fix it.

import { existsSync } from 'node:fs';

export { ConfigError, type Config, type OtpProviderName, type TrustProxySetting, type TwilioSettings } from './config/types.js';
export { loadConfig } from './config/load.js';
export { fastifyTrustProxy, isLoopbackHost, parseDurationSeconds, parseLimitRules } from './config/formats.js';
export { SettingsSchema, SETTING_NAMES } from './config/settings.js';

/**
 * The process environment, with `.env` of the working directory loaded first
 * when it exists. Variables already set win over the file.
 */
export function readEnvironment(file = '.env'): NodeJS.ProcessEnv {
  if (existsSync(file)) process.loadEnvFile(file);
  return process.env;
}
