import { z } from 'zod';
import type { AddressStateReader } from './address-state-reader.ts';
import type { ConsentEventDoc, ConsentEventModel } from './consent-event.model.ts';
import { CONSENT_SOURCES, LEGAL_BASES, TYPE_STATES, suppressionSchema } from './types.ts';

/** What a consent event changed, before or after (StateDiff in state-change.ts). */
const stateDiffSchema = z
  .object({
    optedOutOfAll: z.boolean().optional(),
    subscriptions: z.record(z.string(), z.enum(TYPE_STATES)).optional(),
    suppression: suppressionSchema.nullable().optional().meta({ description: 'null: no suppression' }),
  })
  .meta({ id: 'StateDiff' });

/** One consent event as the history API shows it. */
export const consentEventViewSchema = z
  .object({
    id: z.string().meta({ description: "`address#version`: a message's `decision.consentEvent` names the event by this id", example: 'ann@example.com#3' }),
    address: z.string(),
    version: z.number().int().meta({ description: 'The state version this event produced' }),
    at: z.date(),
    source: z.enum(CONSENT_SOURCES),
    actor: z.string().optional(),
    before: stateDiffSchema,
    after: stateDiffSchema,
    ip: z.string().optional(),
    userAgent: z.string().optional(),
    messageId: z.string().optional(),
    legalBasis: z.enum(LEGAL_BASES).optional(),
    legalBasisExplanation: z.string().optional(),
    importJobId: z.string().optional(),
    feedback: z.object({ provider: z.string(), eventId: z.string(), statusCode: z.string().optional(), diagnostic: z.string().optional() }).optional(),
    erased: z.literal(true).optional().meta({ description: 'Made while the address was erased, which it stays' }),
    freshStart: z.literal(true).optional().meta({ description: "The person's own re-subscribe that lifted an erasure" }),
  })
  .meta({ id: 'ConsentEvent' });
export type ConsentEventView = z.infer<typeof consentEventViewSchema>;

function toView(e: ConsentEventDoc): ConsentEventView {
  const view: ConsentEventView = { id: e._id, address: e.address, version: e.version, at: e.at, source: e.source, before: e.before, after: e.after };
  for (const key of ['actor', 'ip', 'userAgent', 'messageId', 'legalBasis', 'legalBasisExplanation', 'importJobId', 'feedback', 'erased', 'freshStart'] as const) {
    if (e[key] !== undefined && e[key] !== null) Object.assign(view, { [key]: e[key] });
  }
  return view;
}

export interface ConsentHistoryDeps {
  events: ConsentEventModel;
  reader: AddressStateReader;
}

/** The consent events of an address, as far as they are in effect. */
export class ConsentHistory {
  constructor(private readonly deps: ConsentHistoryDeps) {}

  /** The consent events in effect for an address, oldest first. */
  async history(address: string): Promise<ConsentEventView[]> {
    const [state, events] = await Promise.all([
      this.deps.reader.get(address),
      this.deps.events.find({ address }).sort({ version: 1 }).lean<ConsentEventDoc[]>(),
    ]);
    // An event above the state's version is one a crashed writer left; it is not (yet) in effect.
    return events.filter((e) => e.version <= state.version).map(toView);
  }
}
