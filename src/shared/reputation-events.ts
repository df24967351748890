/**
 * What the reputation guard counts (docs/rules.md §13), as the rooms that see it tell it: the
 * outcome recorder (a send, a synchronous hard bounce) and the feedback applier (a bounce or a
 * complaint about one of our messages). The type lives here so that messages/ and feedback/ can
 * tell without importing reputation/.
 */
export type ReputationEventKind = 'send' | 'hard_bounce' | 'soft_bounce' | 'complaint';

/** One happening about one of our messages: enough to count it by stream, sending domain, provider group and template. */
export interface ReputationEvent {
  kind: ReputationEventKind;
  /** The stream the message left by; records from before streams have none (then nothing is counted). */
  stream: string | undefined;
  /** The message's own From; the stream's MAIL_FROM otherwise. */
  from: string | undefined;
  to: string;
  template: string;
  subscriptionType: string | undefined;
}

/**
 * Where rooms hand what they saw. Never throws and never waits: counts are gathered in memory and
 * written to Redis in one pipeline a few times a second (reputation/reputation-counters.ts).
 */
export interface ReputationEvents {
  count(event: ReputationEvent): void;
}
