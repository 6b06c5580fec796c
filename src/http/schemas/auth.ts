import { Type } from 'typebox';
import { UserView } from './common.js';

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, format: 'email' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const TempTokenBody = Type.Object({ tempToken: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

export const VerifyBody = Type.Object(
  {
    tempToken: Type.String({ minLength: 1, maxLength: 1024 }),
    code: Type.String({ pattern: '^[0-9]{4,10}$' }),
  },
  { additionalProperties: false },
);

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

const OtpTarget = Type.Object({ channel: Type.Literal('sms'), to: Type.String() });

export const LoginResponse = Type.Object({
  status: Type.Literal('OTP_REQUIRED'),
  tempToken: Type.String(),
  expiresIn: Type.Integer(),
  otp: Type.Object({ channel: Type.Literal('sms'), to: Type.String(), resendAfter: Type.Integer() }),
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

export const MeResponse = Type.Object({ user: UserView });
