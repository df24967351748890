import type { ReputationThresholds, ReputationWindow } from '../shared/deliverability.ts';
import type { Logger } from '../shared/logger.ts';
import type { GuardFigures } from './guard.model.ts';
import type { GuardRepository } from './guard-repository.ts';
import { hourOf } from './reputation-buckets.ts';
import { rateOf, sumBuckets, topTemplates, type Figures } from './reputation-figures.ts';
import type { ReputationReader } from './reputation-reader.ts';
import { judgeRates, type Judgement } from './judge-rates.ts';
import type { StreamPauses } from './stream-pauses.ts';

export interface StreamGuardDeps {
  reader: ReputationReader;
  repository: GuardRepository;
  pauses: StreamPauses;
  thresholds: ReputationThresholds;
  logger: Logger;
  now?: () => number;
}

/** The figures a guard step keeps in its audit record and tells in its webhook. */
export function guardFigures(window: ReputationWindow, figures: Figures): GuardFigures {
  const { total } = figures;
  return {
    window,
    counts: { ...total },
    complaintRate: rateOf(total.complaints, total.sends),
    hardBounceRate: rateOf(total.hardBounces, total.sends),
    topTemplates: topTemplates(figures, 5),
    byProvider: Object.fromEntries(Object.entries(figures.byProvider).filter(([, c]) => c.sends > 0 || c.complaints > 0 || c.hardBounces > 0)),
  };
}

/**
 * The reputation guard (docs/rules.md §13): after feedback is counted, it judges the stream's 24 h
 * and 7 d windows (judge-rates.ts) and pauses, warns, or clears a warning (stream-pauses.ts). At
 * most one evaluation per stream runs in a process; feedback arriving meanwhile asks for one more
 * run after it, so a burst of complaints costs two reads, not one per complaint. A paused stream is
 * not judged: only an operator resumes it. After a resume, only hours that began after it are
 * judged — the operator has answered for what came before.
 */
export class StreamGuard {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();

  constructor(private readonly deps: StreamGuardDeps) {}

  /** Evaluates these streams soon (coalesced per stream). Never throws: a failed run is logged, and the next feedback runs it again. */
  evaluateSoon(streams: Iterable<string>): void {
    for (const stream of streams) {
      if (this.running.has(stream)) {
        this.again.add(stream);
        continue;
      }
      const run = this.evaluate(stream)
        .then(() => undefined)
        .catch((err: unknown) => this.deps.logger.error({ event: 'reputation.evaluate_failed', stream, err: err instanceof Error ? err.message : String(err) }))
        .finally(() => {
          this.running.delete(stream);
          if (this.again.delete(stream)) this.evaluateSoon([stream]);
        });
      this.running.set(stream, run);
    }
  }

  /** Waits for the evaluations in flight (close). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  async evaluate(stream: string): Promise<Judgement> {
    const doc = await this.deps.repository.get(stream);
    if (doc?.state === 'paused') return { level: 'pause' };
    const now = (this.deps.now ?? Date.now)();
    const { hours } = await this.deps.reader.read(stream, now, { days: false });
    const after = doc?.resumedAt ? hourOf(doc.resumedAt.getTime()) : -Infinity;
    const judged = hours.filter((h) => h.hour > after);
    const lastHour = hourOf(now);
    const windows = {
      '24h': sumBuckets(judged.filter((h) => h.hour > lastHour - 24).map((h) => h.hash)),
      '7d': sumBuckets(judged.map((h) => h.hash)),
    } satisfies Partial<Record<ReputationWindow, Figures>>;
    const judgement = judgeRates([{ window: '24h', counts: windows['24h'].total }, { window: '7d', counts: windows['7d'].total }], this.deps.thresholds);
    if (judgement.level === 'ok') {
      if (doc?.state === 'warn') await this.deps.repository.clearWarning(stream, new Date(now));
      return judgement;
    }
    const window = judgement.window === '7d' ? '7d' : '24h';
    const figures = guardFigures(window, windows[window]);
    const reason = judgement.reason ?? 'rates over the threshold';
    if (judgement.level === 'pause') await this.deps.pauses.pauseByGuard(stream, figures, reason);
    else if (doc?.state !== 'warn') await this.deps.pauses.warnByGuard(stream, figures, reason);
    return judgement;
  }
}
