// A recovery code as a sign-in factor: right when it is an unused code of the
// user's set, and spent by that judgement (one conditional UPDATE: of
// parallel uses exactly one is right). It counts as a guess like any code;
// its use is audited with the number left, so the user can be told to make new ones.

import type { AuditLog } from '../../audit/audit.js';
import type { RecoveryCodeStore } from '../factors/recovery-codes.js';
import type { SecondFactor } from './second-factor.js';

export function createRecoveryCodeFactor(deps: { recoveryCodes: RecoveryCodeStore; audit: AuditLog }): SecondFactor {
  return {
    amr: 'rec',
    async judge(challenge, input) {
      if (input.recoveryCode === undefined) return 'wrong';
      const spent = await deps.recoveryCodes.spend(challenge.userId, input.recoveryCode);
      if (!spent) return 'wrong';
      await deps.audit.record({
        type: 'RECOVERY_CODE_USED',
        userId: challenge.userId,
        actorId: challenge.userId,
        ip: input.ip ?? null,
        detail: { left: spent.left },
      });
      return 'approved';
    },
  };
}
