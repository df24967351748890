import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { z } from 'zod';
import { AppError, badRequest, notFound } from '../shared/errors.ts';
import { isDuplicateKey } from '../shared/mongo-errors.ts';
import { accountKey } from './account-key.ts';
import { CONSOLE_ROLES, type ConsoleRole } from './console-roles.ts';
import { consoleUserModel, type ConsoleUserModel } from './console-user.model.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 1024;

/** An operator as the console knows them: never the hash. */
export interface ConsoleUser {
  email: string;
  role: ConsoleRole;
  createdAt: Date;
  /** What a session of this account must carry to be valid (see console-auth.ts). */
  sessionEpoch: string;
}

const rowSchema = z.object({
  _id: z.string(),
  role: z.enum(CONSOLE_ROLES),
  passwordHash: z.string(),
  // accounts created before sessions carried an epoch: '' until their first password change
  sessionEpoch: z.string().default(''),
  createdAt: z.date(),
});
type Row = z.infer<typeof rowSchema>;

const userOf = (row: Row): ConsoleUser => ({ email: row._id, role: row.role, createdAt: row.createdAt, sessionEpoch: row.sessionEpoch });

/** Random, not a counter: an account removed and created again never matches a session of the old one. */
const newSessionEpoch = (): string => randomBytes(12).toString('base64url');

const checkEmail = (email: string): string => {
  const key = accountKey(email);
  if (!z.email().safeParse(key).success) throw badRequest('invalid_email', 'Not an email address');
  return key;
};

const checkPassword = (password: string): void => {
  if (password.length < MIN_PASSWORD_LENGTH) throw badRequest('weak_password', `The password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw badRequest('weak_password', `The password may have at most ${MAX_PASSWORD_LENGTH} characters`);
};

/** Operator accounts (`console_users`): the CLI manages them, sign-in verifies them. */
export class ConsoleUserRepository {
  private readonly model: ConsoleUserModel;
  /** Verified against when the account does not exist, so an unknown account costs the same time as a wrong password. */
  private readonly decoy: Promise<string>;

  constructor(deps: { db: Connection }) {
    this.model = consoleUserModel(deps.db);
    this.decoy = hashPassword('decoy password that never matches');
    this.decoy.catch(() => undefined);
  }

  async ensureIndexes(): Promise<void> {
    await this.model.createIndexes();
  }

  async add(email: string, role: ConsoleRole, password: string): Promise<ConsoleUser> {
    const key = checkEmail(email);
    checkPassword(password);
    const now = new Date();
    const sessionEpoch = newSessionEpoch();
    try {
      await this.model.create({ _id: key, role, passwordHash: await hashPassword(password), sessionEpoch, createdAt: now, updatedAt: now });
    } catch (err) {
      if (isDuplicateKey(err)) throw new AppError('user_exists', `An account for ${key} exists already`, { status: 409 });
      throw err;
    }
    return { email: key, role, createdAt: now, sessionEpoch };
  }

  async list(): Promise<ConsoleUser[]> {
    const docs = await this.model.find({}).sort({ _id: 1 }).lean();
    return docs.map((doc) => userOf(rowSchema.parse(doc)));
  }

  /** Its sessions end with it: a session whose account is gone is refused (console-auth.ts). */
  async remove(email: string): Promise<void> {
    const { deletedCount } = await this.model.deleteOne({ _id: accountKey(email) });
    if (deletedCount === 0) throw notFound('no_such_user', `No account for ${accountKey(email)}`);
  }

  /** A new password ends every session of the account (a new session epoch): whoever knew the old one is out. */
  async setPassword(email: string, password: string): Promise<void> {
    checkPassword(password);
    const update = { passwordHash: await hashPassword(password), sessionEpoch: newSessionEpoch(), updatedAt: new Date() };
    const { matchedCount } = await this.model.updateOne({ _id: accountKey(email) }, { $set: update });
    if (matchedCount === 0) throw notFound('no_such_user', `No account for ${accountKey(email)}`);
  }

  /** The account, if it exists (role changes and removals take effect on the next request). */
  async find(email: string): Promise<ConsoleUser | undefined> {
    const doc = await this.model.findById(accountKey(email)).lean();
    return doc ? userOf(rowSchema.parse(doc)) : undefined;
  }

  /** The account when the password is its own; undefined for a wrong password and an unknown account alike. */
  async verify(email: string, password: string): Promise<ConsoleUser | undefined> {
    if (password.length > MAX_PASSWORD_LENGTH) return undefined;
    const doc = await this.model.findById(accountKey(email)).lean();
    const row = doc ? rowSchema.parse(doc) : undefined;
    const ok = await verifyPassword(password, row?.passwordHash ?? (await this.decoy));
    return ok && row ? userOf(row) : undefined;
  }
}
