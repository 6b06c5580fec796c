// Lenders: the financing partners an application (and a lender user) belongs to.

import { asc, eq, sql } from 'drizzle-orm';
import type { Database, DbExecutor } from '../db/connect.js';
import { isUniqueViolation } from '../db/keyset.js';
import { lenders } from '../db/schema.js';
import { AppError, validationError } from '../errors.js';
import type { AuditLog } from '../audit/audit.js';

export interface LenderView {
  id: string;
  name: string;
}

export const LENDER_NAME_MAX_CHARACTERS = 200;

export async function listLenders(db: DbExecutor): Promise<LenderView[]> {
  return db.select({ id: lenders.id, name: lenders.name }).from(lenders).orderBy(asc(lenders.name), asc(lenders.id));
}

export async function findLenderById(db: DbExecutor, id: string): Promise<LenderView | undefined> {
  const [row] = await db.select({ id: lenders.id, name: lenders.name }).from(lenders).where(eq(lenders.id, id));
  return row;
}

/** Names compare case-insensitively: "Acme" and "ACME " are one lender to a person reading a list. */
export async function findLenderByName(db: DbExecutor, name: string): Promise<LenderView | undefined> {
  const [row] = await db
    .select({ id: lenders.id, name: lenders.name })
    .from(lenders)
    .where(sql`lower(${lenders.name}) = lower(${name.trim()})`);
  return row;
}

/** Who creates a lender: audited LENDER_CREATED with the new lender, in the same transaction. */
export interface LenderCreator {
  actorId: string | null;
  ip: string | null;
}

/** 409 CONFLICT when the name is taken (also when a parallel request took it first). */
export async function createLender({ db, audit }: { db: Database; audit: AuditLog }, rawName: string, now: Date, creator: LenderCreator): Promise<LenderView> {
  const name = rawName.trim();
  if (name.length === 0) throw validationError('/name', 'must not be blank');
  if ([...name].length > LENDER_NAME_MAX_CHARACTERS) throw validationError('/name', `must NOT have more than ${LENDER_NAME_MAX_CHARACTERS} characters`);
  if (await findLenderByName(db, name)) throw new AppError('CONFLICT', { detail: `A lender named "${name}" already exists.` });
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx.insert(lenders).values({ name, createdAt: now }).returning({ id: lenders.id, name: lenders.name });
      await audit.record({ type: 'LENDER_CREATED', userId: null, actorId: creator.actorId, ip: creator.ip, detail: { lenderId: row!.id, name: row!.name } }, tx);
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('CONFLICT', { detail: `A lender named "${name}" already exists.` });
    throw error;
  }
}
