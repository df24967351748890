import { z } from 'zod';
import { badRequest } from './errors.ts';

/**
 * The opaque cursor of the newest-first lists (suppressions, webhook deliveries): the last row's
 * time and id, so the next page starts strictly after it even when rows share a time.
 */
const cursorSchema = z.object({ at: z.iso.datetime(), id: z.string().min(1).max(320) }).strict();

export const encodeCursor = (at: Date, id: string): string => Buffer.from(JSON.stringify({ at: at.toISOString(), id })).toString('base64url');

/** A cursor this API did not give out is 400 `invalid_cursor`. */
export function decodeCursor(cursor: string): { at: Date; id: string } {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { at: new Date(parsed.at), id: parsed.id };
  } catch {
    throw badRequest('invalid_cursor', 'The cursor is not one this API gave out');
  }
}
