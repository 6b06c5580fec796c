// Settings the config suites share.

import { generateKeySet } from '../../src/auth/access-tokens.js';

let keys: Promise<string> | undefined;
/** JWT_PRIVATE_KEYS set, so a start writes no development keys anywhere. */
export const testKeySetEnv = async () => ({ JWT_PRIVATE_KEYS: await (keys ??= generateKeySet().then((set) => JSON.stringify(set))) });
