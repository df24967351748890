import { z } from 'zod';
import type { AddressStateModel } from './address-state.model.ts';
import { CONSENT_SOURCES, SUPPRESSION_KINDS, type Suppression, type SuppressionKind } from './types.ts';
import { decodeCursor, encodeCursor } from '../shared/keyset-cursor.ts';

export interface SuppressionQuery {
  reason?: SuppressionKind;
  /** Only suppressions at or after this time. */
  since?: Date;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
  limit: number;
}

export const suppressionEntrySchema = z
  .object({ address: z.string(), reason: z.enum(SUPPRESSION_KINDS), at: z.iso.datetime(), source: z.enum(CONSENT_SOURCES), detail: z.string().optional() })
  .meta({ id: 'SuppressionEntry' });
export type SuppressionEntry = z.infer<typeof suppressionEntrySchema>;

/** `GET /v1/suppressions` answer: one page, newest first. */
export const suppressionPageSchema = z
  .object({
    suppressions: z.array(suppressionEntrySchema),
    nextCursor: z.string().optional().meta({ description: 'Present when there may be more: pass it as `cursor` for the next page' }),
  })
  .meta({ id: 'SuppressionPage' });
export type SuppressionPage = z.infer<typeof suppressionPageSchema>;

const rowSchema = z.object({
  _id: z.string(),
  suppression: z.object({ kind: z.enum(SUPPRESSION_KINDS), at: z.date(), source: z.string(), detail: z.string().optional() }),
});

/**
 * The suppression list (docs/rules.md §7): suppressed addresses, newest first, keyset-paginated on
 * (suppression.at, _id) so a page never repeats or skips an entry while suppressions are added.
 */
export class SuppressionList {
  constructor(private readonly deps: { states: AddressStateModel }) {}

  async page(query: SuppressionQuery): Promise<SuppressionPage> {
    const and: Record<string, unknown>[] = [{ suppression: { $ne: null } }];
    if (query.reason) and.push({ 'suppression.kind': query.reason });
    if (query.since) and.push({ 'suppression.at': { $gte: query.since } });
    if (query.cursor) {
      const { at, id } = decodeCursor(query.cursor);
      and.push({ $or: [{ 'suppression.at': { $lt: at } }, { 'suppression.at': at, _id: { $lt: id } }] });
    }
    const docs = await this.deps.states
      .find({ $and: and }, { _id: 1, suppression: 1 })
      .sort({ 'suppression.at': -1, _id: -1 })
      .limit(query.limit + 1)
      .lean();
    const rows = docs.slice(0, query.limit).map((doc) => rowSchema.parse(doc));
    const suppressions = rows.map(({ _id, suppression }) => ({
      address: _id,
      reason: suppression.kind,
      at: suppression.at.toISOString(),
      source: suppression.source as Suppression['source'],
      ...(suppression.detail ? { detail: suppression.detail } : {}),
    }));
    const last = rows.at(-1);
    return docs.length > query.limit && last ? { suppressions, nextCursor: encodeCursor(last.suppression.at, last._id) } : { suppressions };
  }
}
