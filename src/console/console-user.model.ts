import { Schema, type Connection, type Model } from 'mongoose';
import { CONSOLE_ROLES, type ConsoleRole } from './console-roles.ts';

/** One operator account in `console_users`; `_id` is the lower-cased email address. */
export interface ConsoleUserDoc {
  _id: string;
  role: ConsoleRole;
  /** See password-hash.ts for the format. */
  passwordHash: string;
  /** Copied into each session at sign-in; replaced by a password change, so older sessions no longer match. */
  sessionEpoch: string;
  createdAt: Date;
  updatedAt: Date;
}

const schema = new Schema<ConsoleUserDoc>(
  {
    _id: { type: String, required: true },
    role: { type: String, enum: CONSOLE_ROLES, required: true },
    passwordHash: { type: String, required: true },
    sessionEpoch: { type: String, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'console_users', versionKey: false },
);
// Reads are by _id only (sign-in, the CLI); list-users scans a handful of accounts. No further index.

export type ConsoleUserModel = Model<ConsoleUserDoc>;

export function consoleUserModel(db: Connection): ConsoleUserModel {
  return (db.models.ConsoleUser as ConsoleUserModel | undefined) ?? db.model<ConsoleUserDoc>('ConsoleUser', schema);
}
