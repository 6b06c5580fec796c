// Lenders: the financing partners an application (and a lender user) belongs to.

import { asc, eq, sql } from 'drizzle-orm';
import type { DbExecutor } from '../db/connect.js';
import { isUniqueViolation } from '../db/keyset.js';
import { lenders } from '../db/schema.js';
import { AppError, validationError } from '../errors.js';

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

/** 409 CONFLICT when the name is taken (also when a parallel request took it first). */
export async function createLender(db: DbExecutor, rawName: string, now: Date): Promise<LenderView> {
  const name = rawName.trim();
  if (name.length === 0) throw validationError('/name', 'must not be blank');
  if ([...name].length > LENDER_NAME_MAX_CHARACTERS) throw validationError('/name', `must NOT have more than ${LENDER_NAME_MAX_CHARACTERS} characters`);
  if (await findLenderByName(db, name)) throw new AppError('CONFLICT', { detail: `A lender named "${name}" already exists.` });
  try {
    const [row] = await db.insert(lenders).values({ name, createdAt: now }).returning({ id: lenders.id, name: lenders.name });
    return row!;
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('CONFLICT', { detail: `A lender named "${name}" already exists.` });
    throw error;
  }
}
