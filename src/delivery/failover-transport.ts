import type { Logger } from '../shared/logger.ts';
import type { RelayMetrics } from './relay-metrics.ts';
import type { RelayState } from './relay-state.ts';
import { relayTroubleOf, type RelayTrouble } from './relay-trouble.ts';
import type { MailTransport, OutgoingMail, SendResult } from './transport.ts';

/** A stream's two relays: its own, and the one it fails over to. */
type Relay = 'primary' | 'secondary';

export interface FailoverDeps {
  /** The stream's name: in the state key, the metrics' labels and the log lines. */
  stream: string;
  primary: MailTransport;
  secondary: MailTransport;
  /** Whether the primary answers again, e.g. the nodemailer transport's `verify`. False or a rejection: not yet. */
  probe(): Promise<boolean>;
  /** Shared by every process (RedisRelayState). */
  state: RelayState;
  metrics: RelayMetrics;
  logger: Logger;
  /** Connection or greeting timeouts in a row (in this process) before switching; a refusal switches at once. */
  failAfter: number;
  /** How long a stream stays on its secondary before the next send probes the primary. */
  coolOffMs: number;
  /** Epoch milliseconds; Date.now unless given. */
  now?: () => number;
}

/**
 * The shared state outlives the cool-off by as much again: past `failedOverUntil` the first send
 * of each process probes the primary. A stream that sends nothing for that long is on its primary
 * again when the key expires; its next send finds out (a refusal fails over again, with the message).
 */
const STATE_LIFETIMES = 2;

/**
 * A stream's relay with a secondary to fail over to. Only connection-level
 * trouble switches (relay-trouble.ts): a refusal at once, timeouts after `failAfter` in a row. A
 * message the primary provably never took goes through the secondary in the same attempt, so no
 * attempt is spent and nothing is sent twice; one it may have taken (the session broke after DATA)
 * is rethrown, and the job's retry sends it later. A reply to MAIL, RCPT or DATA is the relay
 * answering: it is rethrown as it is and never switches. While failed over every send goes to the
 * secondary; after `coolOffMs` the next one probes the primary first (one probe at a time in a
 * process) and returns to it if it answers. Every result names the relay that took the message (the
 * inner transport's `relay`).
 */
export class FailoverTransport implements MailTransport {
  private readonly now: () => number;
  /** Timeouts and broken sessions on the primary in a row, in this process. */
  private troubleInARow = 0;
  private probing = false;
  /** The state as this process last knew it, for when Redis cannot be read. */
  private known: number | undefined;

  constructor(private readonly deps: FailoverDeps) {
    if (!(deps.failAfter >= 1)) throw new Error('failAfter must be at least 1');
    if (!(deps.coolOffMs > 0)) throw new Error('coolOffMs must be positive');
    this.now = deps.now ?? Date.now;
    deps.metrics.watch(deps.stream, async () => (await deps.state.failedOverUntil(deps.stream)) !== undefined);
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    const until = await this.failedOverUntil();
    if (until === undefined) return this.viaPrimary(mail);
    if (this.now() < until || this.probing) return this.via('secondary', mail);
    return (await this.probePrimary()) ? this.viaPrimary(mail) : this.via('secondary', mail);
  }

  async close(): Promise<void> {
    await Promise.all([this.deps.primary.close(), this.deps.secondary.close()]);
  }

  private async via(relay: Relay, mail: OutgoingMail): Promise<SendResult> {
    // The inner transport names the relay that took it (its URL without credentials).
    return this.deps[relay].send(mail);
  }

  private async viaPrimary(mail: OutgoingMail): Promise<SendResult> {
    try {
      const result = await this.via('primary', mail);
      this.troubleInARow = 0;
      return result;
    } catch (err) {
      const trouble = relayTroubleOf(err);
      if (trouble === undefined) {
        // The relay answered (a refusal of this message, throttling): it is there.
        if (typeof (err as { responseCode?: unknown }).responseCode === 'number') this.troubleInARow = 0;
        throw err;
      }
      this.troubleInARow = trouble === 'refused' ? this.deps.failAfter : this.troubleInARow + 1;
      if (this.troubleInARow < this.deps.failAfter) throw err;
      this.troubleInARow = 0;
      await this.failOver(trouble, err);
      // The primary may have taken this one: never a second copy through the secondary.
      if (trouble === 'dropped') throw err;
      return this.via('secondary', mail);
    }
  }

  private async failOver(trouble: RelayTrouble, err: unknown): Promise<void> {
    const { stream, coolOffMs } = this.deps;
    const until = this.now() + coolOffMs;
    this.known = until;
    let switched = true;
    try {
      switched = await this.deps.state.failOver(stream, until, coolOffMs * STATE_LIFETIMES);
    } catch (stateErr) {
      this.stateUnavailable(stateErr);
    }
    // Another send or process switched first: one log line and one count per switch.
    if (!switched) return;
    this.deps.metrics.failovers.inc({ stream, to: 'secondary' });
    this.deps.logger.warn({ event: 'delivery.relay_failover', stream, to: 'secondary', trouble, coolOffMs, err }, `stream ${stream}: primary relay ${trouble}, sending through the secondary`);
  }

  /** True when the primary answers; the stream is then back on it. Otherwise another cool-off. */
  private async probePrimary(): Promise<boolean> {
    const { stream, coolOffMs } = this.deps;
    this.probing = true;
    try {
      let answered = false;
      let failure: unknown;
      try {
        answered = await this.deps.probe();
      } catch (err) {
        failure = err;
      }
      if (!answered) {
        const until = this.now() + coolOffMs;
        this.known = until;
        await this.deps.state.failOver(stream, until, coolOffMs * STATE_LIFETIMES).catch((err: unknown) => this.stateUnavailable(err));
        this.deps.logger.warn({ event: 'delivery.relay_probe_failed', stream, coolOffMs, err: failure }, `stream ${stream}: primary relay still not answering`);
        return false;
      }
      this.known = undefined;
      let restored = true;
      try {
        restored = await this.deps.state.restore(stream);
      } catch (err) {
        this.stateUnavailable(err);
      }
      if (restored) {
        this.deps.metrics.failovers.inc({ stream, to: 'primary' });
        this.deps.logger.info({ event: 'delivery.relay_restored', stream, to: 'primary' }, `stream ${stream}: primary relay answers again, sending through it`);
      }
      return true;
    } finally {
      this.probing = false;
    }
  }

  private async failedOverUntil(): Promise<number | undefined> {
    try {
      this.known = await this.deps.state.failedOverUntil(this.deps.stream);
    } catch (err) {
      // Sending does not wait for Redis: this process goes by what it last knew.
      this.stateUnavailable(err);
    }
    return this.known;
  }

  private stateUnavailable(err: unknown): void {
    this.deps.logger.warn({ event: 'delivery.relay_state_unavailable', stream: this.deps.stream, err }, 'relay failover state unavailable; going by what this process last knew');
  }
}
