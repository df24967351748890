import type { StreamConfig } from '../config.ts';
import type { MessageKind } from '../shared/message-kinds.ts';

export type RoutedStream = Pick<StreamConfig, 'name' | 'kinds' | 'types'>;

/** What routing reads of a message: its kind, its type, and the stream its record names (if any). */
export interface Routable {
  kind: MessageKind;
  subscriptionType?: string | undefined;
  stream?: string | undefined;
}

/**
 * Which stream a message leaves by (docs/rules.md §12), decided once at enqueue and stored on the
 * record: a marketing message of a subscription type some stream claims (STREAM_<NAME>_TYPES) goes
 * there; any other message goes to the stream claiming its kind. config-streams.ts makes sure every
 * kind, and every type, has exactly one stream.
 */
export class StreamRouter {
  readonly names: readonly string[];

  constructor(private readonly streams: readonly RoutedStream[]) {
    this.names = streams.map((s) => s.name);
  }

  /** The stream for a new message. */
  route(message: Pick<Routable, 'kind' | 'subscriptionType'>): string {
    if (message.kind === 'marketing' && message.subscriptionType !== undefined) {
      const byType = this.streams.find((s) => s.types.includes(message.subscriptionType!));
      if (byType) return byType.name;
    }
    const byKind = this.streams.find((s) => s.kinds.includes(message.kind));
    // parseStreams makes every kind claimed; a hand-built list without one is a bug.
    if (!byKind) throw new Error(`no stream claims kind ${message.kind}`);
    return byKind.name;
  }

  /**
   * The stream of a stored message: the one its record names while that stream exists; a record
   * from before streams, or of a stream since removed, is routed as a new message would be.
   */
  streamOf(record: Routable): string {
    return record.stream !== undefined && this.names.includes(record.stream) ? record.stream : this.route(record);
  }
}
