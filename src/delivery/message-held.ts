/**
 * A marketing message that may not go now but must not fail either: its stream is paused by the
 * reputation guard, or its address is at its frequency cap with `FREQUENCY_CAP_ACTION=defer`
 * (docs/rules.md §13). The send worker moves its job to BullMQ's delayed set until `until`
 * (delivery/send-worker.ts): it stays in the queue, its attempts unspent, its record `queued`, and
 * the send-time check runs again in full when it comes back.
 */
export class MessageHeld extends Error {
  override name = 'MessageHeld';

  constructor(
    readonly reason: 'guard_paused' | 'frequency_capped',
    /** When the job looks again. */
    readonly until: Date,
  ) {
    super(`message held (${reason}) until ${until.toISOString()}`);
  }
}
