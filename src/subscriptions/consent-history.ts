import type { AddressStateReader } from './address-state-reader.ts';
import type { ConsentEventDoc, ConsentEventModel } from './consent-event.model.ts';
import type { StateDiff } from './state-change.ts';

/** One consent event as the history API shows it. */
export interface ConsentEventView {
  id: string;
  address: string;
  version: number;
  at: Date;
  source: ConsentEventDoc['source'];
  actor?: string;
  before: StateDiff;
  after: StateDiff;
  ip?: string;
  userAgent?: string;
  messageId?: string;
  legalBasis?: ConsentEventDoc['legalBasis'];
  legalBasisExplanation?: string;
  importJobId?: string;
  feedback?: ConsentEventDoc['feedback'];
  /** Made while the address was erased, which it stays. */
  erased?: true;
  /** The person's own re-subscribe that lifted an erasure. */
  freshStart?: true;
}

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
