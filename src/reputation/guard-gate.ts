import type { Logger } from '../shared/logger.ts';
import type { GuardRepository } from './guard-repository.ts';
import type { HeldJobs } from './held-jobs.ts';
import { showState, type ReputationMetrics } from './reputation-metrics.ts';

export interface GuardGateDeps {
  repository: Pick<GuardRepository, 'all'>;
  streams: readonly string[];
  held: Pick<HeldJobs, 'note' | 'release'>;
  metrics: ReputationMetrics;
  logger: Logger;
  /** State older than this is not believed: marketing is held (fail closed). */
  staleAfterMs?: number;
  /** How long a job of a paused stream waits before it looks again by itself (a resume promotes it sooner). */
  pausedRecheckMs?: number;
  /** How long a job waits while the state cannot be read. */
  staleRecheckMs?: number;
  now?: () => number;
}

/**
 * The send path's view of the guard (docs/rules.md §13): every stream's state, kept in memory and
 * refreshed about once a second from `stream_guards` (one find per process, not per message), so
 * asking costs no I/O. A marketing message of a paused stream is held; so is every marketing
 * message while the state is older than `staleAfterMs` (the refresh failing): the guard fails
 * closed. After each refresh the held jobs of streams that are not paused are promoted (held-jobs.ts),
 * so a resume sends them within about a second.
 */
export class GuardGate {
  private paused = new Set<string>();
  private refreshedAt = -Infinity;
  private refreshing = false;
  /** A refresh asked for while one ran: it may have read before the change, so one more follows. */
  private again = false;
  private releasing: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly deps: GuardGateDeps) {}

  /** When marketing of this stream may not go now: until when its job waits. */
  holdMarketing(stream: string, jobId: string): Date | undefined {
    const now = this.now();
    if (now - this.refreshedAt > (this.deps.staleAfterMs ?? 5000)) return new Date(now + (this.deps.staleRecheckMs ?? 5000));
    if (!this.paused.has(stream)) return undefined;
    this.deps.held.note(stream, jobId);
    return new Date(now + (this.deps.pausedRecheckMs ?? 10 * 60_000));
  }

  /** One refresh (the composition root runs it every second); never throws. */
  async refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = true;
    try {
      const docs = await this.deps.repository.all();
      const states = new Map(docs.map((d) => [d._id, d.state]));
      this.paused = new Set(docs.filter((d) => d.state === 'paused').map((d) => d._id));
      this.refreshedAt = this.now();
      if (this.failing) this.deps.logger.info({ event: 'reputation.gate_recovered' }, 'guard state readable again');
      this.failing = false;
      for (const stream of this.deps.streams) showState(this.deps.metrics, stream, states.get(stream) ?? 'ok');
    } catch (err) {
      if (!this.failing) this.deps.logger.error({ event: 'reputation.gate_stale', err: err instanceof Error ? err.message : String(err) }, 'guard state cannot be read: marketing is held');
      this.failing = true;
    }
    this.refreshing = false;
    if (this.again) {
      this.again = false;
      await this.refresh();
      return;
    }
    // Not awaited: promoting many jobs takes a while, and the state must keep being read meanwhile.
    this.releasing ??= this.releaseHeld().finally(() => (this.releasing = undefined));
  }

  /** Waits for a release in flight (close). */
  async idle(): Promise<void> {
    await this.releasing;
  }

  private async releaseHeld(): Promise<void> {
    try {
      for (const stream of this.deps.streams) {
        if (this.failing || this.paused.has(stream)) continue; // paused, or not known now
        const promoted = await this.deps.held.release(stream);
        if (promoted > 0) this.deps.logger.info({ event: 'reputation.released', stream, promoted });
      }
    } catch (err) {
      // Redis away: the held jobs still look again when their delay ends.
      this.deps.logger.warn({ event: 'reputation.release_failed', err: err instanceof Error ? err.message : String(err) });
    }
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}
