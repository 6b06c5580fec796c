// Applications (API.md "Applications"). Server-owned fields (id, reference,
// status, createdAt, updatedAt) are absent from the bodies, and bodies refuse
// unknown fields, so a client can never set them.

import { Type } from 'typebox';
import { APPLICATION_STATUSES, CURRENCIES, PRODUCT_TYPES, STATUS_TRANSITIONS } from '../../core/vocabulary.js';
import { CursorPageQuery, Nullable, Timestamp, Uuid } from './common.js';

/**
 * The workflow rides along as an OpenAPI extension, so clients (the web UI's
 * generated module, scripts/generate-web-types.ts) read it from the document
 * instead of copying it. Validators ignore `x-` keywords.
 */
export const ApplicationStatusName = Type.Enum(APPLICATION_STATUSES, { 'x-status-transitions': STATUS_TRANSITIONS });
const Currency = Type.Enum(CURRENCIES);
const ProductType = Type.Enum(PRODUCT_TYPES);
/** A JSON integer: money is never a float, and above 2^53 a JSON number no longer names one amount. */
const AmountCents = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer cents, > 0' });
/** Free text that is not only blanks. */
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

const applicantFields = {
  businessName: Text(200),
  contactName: Text(200),
  contactEmail: Type.String({ format: 'email', maxLength: 254 }),
  contactPhone: Type.String({ minLength: 1, maxLength: 40, description: 'A valid phone number, stored in E.164' }),
  amountRequested: AmountCents,
  currency: Currency,
  productType: ProductType,
};

export const NewApplicationBody = Type.Object(
  { ...applicantFields, assignedTo: Type.Optional(Nullable(Uuid)), lenderId: Type.Optional(Nullable(Uuid)) },
  { additionalProperties: false },
);

export const PublicApplicationBody = Type.Object(applicantFields, { additionalProperties: false });

export const ApplicationChangeBody = Type.Object(
  {
    status: Type.Optional(ApplicationStatusName),
    assignedTo: Type.Optional(Nullable(Uuid)),
    lenderId: Type.Optional(Nullable(Uuid)),
    amountRequested: Type.Optional(AmountCents),
    note: Type.Optional(Text(2000)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const Application = Type.Object({
  id: Uuid,
  reference: Type.String({ pattern: '^APP-[0-9]{6,}$' }),
  businessName: Type.String(),
  contactName: Type.String(),
  contactEmail: Type.String(),
  contactPhone: Type.String(),
  amountRequested: Type.Integer(),
  currency: Currency,
  productType: ProductType,
  status: ApplicationStatusName,
  assignedTo: Nullable(Uuid),
  lenderId: Nullable(Uuid),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ApplicationListQuery = Type.Object(
  {
    status: Type.Optional(ApplicationStatusName),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Business name contains (case-insensitive)' })),
    limit: CursorPageQuery.limit(100, 25),
    cursor: CursorPageQuery.cursor,
  },
  { additionalProperties: false },
);

export const ApplicationList = Type.Object({ items: Type.Array(Application), nextCursor: Nullable(Type.String()) });

/** Not `format: uuid`: a malformed id answers 404 like a missing one, never 400. */
export const ApplicationIdParams = Type.Object({ id: Type.String({ description: 'Application id (UUID)' }) });

export const ApplicationHistory = Type.Object({
  items: Type.Array(
    Type.Object({
      at: Timestamp,
      actorId: Nullable(Uuid),
      fromStatus: Nullable(ApplicationStatusName),
      toStatus: ApplicationStatusName,
      note: Nullable(Type.String()),
      changes: Type.Record(
        Type.String(),
        Type.Object({ from: Type.Unknown(), to: Type.Unknown() }),
        { description: 'Each changed field but status, { from, to }; {} when only the status or a note changed, and on the creation item' },
      ),
    }),
  ),
});

export const PublicApplicationReceipt = Type.Object({ reference: Type.String(), status: Type.Literal('submitted') });
