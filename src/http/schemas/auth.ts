import { Type } from 'typebox';
import { Nullable, UserView } from './common.js';

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, format: 'email' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const TempTokenBody = Type.Object({ tempToken: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

export const ResendBody = Type.Object(
  {
    tempToken: Type.String({ minLength: 1, maxLength: 1024 }),
    channel: Type.Optional(Type.Union([Type.Literal('sms'), Type.Literal('call')], { description: 'sms (default) or a voice call' })),
  },
  { additionalProperties: false },
);

/** A recovery code as a person may type it: `k7qpm-3xw9d`, any case, spaces or dashes. */
const RecoveryCodeText = Type.String({ minLength: 10, maxLength: 32, pattern: '^[0-9A-Za-z -]+$' });

export const VerifyBody = Type.Object(
  {
    tempToken: Type.String({ minLength: 1, maxLength: 1024 }),
    code: Type.Optional(Type.String({ pattern: '^[0-9]{4,10}$', description: 'SMS, call or authenticator code' })),
    recoveryCode: Type.Optional(RecoveryCodeText),
  },
  {
    additionalProperties: false,
    description: 'Exactly one of code and recoveryCode.',
    // Without a recovery code, the code is required: `{}` names both missing fields at once.
    if: { not: { required: ['recoveryCode'] } },
    then: { required: ['code'] },
  },
);

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

const OtpTarget = Type.Object({ channel: Type.Union([Type.Literal('sms'), Type.Literal('call')]), to: Type.String() });

export const SignInFactor = Type.Union([Type.Literal('sms'), Type.Literal('call'), Type.Literal('totp'), Type.Literal('recovery')]);

export const LoginResponse = Type.Object({
  status: Type.Literal('OTP_REQUIRED'),
  tempToken: Type.String(),
  expiresIn: Type.Integer(),
  otp: Type.Object(
    {
      channel: Type.Union([Type.Literal('sms'), Type.Literal('totp')]),
      to: Type.Optional(Type.String()),
      resendAfter: Type.Optional(Type.Integer()),
    },
    { description: 'sms: a code was sent to `to`; totp: nothing was sent, the authenticator app gives the code' },
  ),
  factors: Type.Array(SignInFactor),
});

export const ResendResponse = Type.Object({ sent: Type.Literal(true), resendAfter: Type.Integer(), otp: OtpTarget });

export const TokenResponse = Type.Object({
  tokenType: Type.Literal('Bearer'),
  accessToken: Type.String(),
  expiresIn: Type.Integer(),
  refreshToken: Type.String(),
  refreshExpiresIn: Type.Integer(),
  user: UserView,
});

export const SecuritySummary = Type.Object({
  phone: Nullable(Type.String()),
  totp: Type.Boolean(),
  recoveryCodesLeft: Type.Integer(),
});

export const MeResponse = Type.Object({ user: UserView, security: SecuritySummary });

export const TotpEnrollment = Type.Object({ secret: Type.String(), otpauthUri: Type.String() });
export const TotpConfirmBody = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false });
export const PasswordBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });
export const RecoveryCodeSet = Type.Object({ recoveryCodes: Type.Array(Type.String(), { minItems: 10, maxItems: 10 }) });
