import { PROVIDER_GROUPS, REPUTATION_WINDOWS, type DeliverabilityReport, type GuardHistoryEntry, type ProviderGroup, type ReputationCounts, type ReputationThresholds, type ReputationWindow, type StreamReputation } from '../shared/deliverability.ts';
import type { GuardEventDoc } from './guard.model.ts';
import type { GuardRepository } from './guard-repository.ts';
import { dayLabel, hourOf } from './reputation-buckets.ts';
import { rateOf, sumBuckets, topTemplates, zeroCounts, type Figures } from './reputation-figures.ts';
import type { ReputationReader, StreamBuckets } from './reputation-reader.ts';
import { guardStateOf } from './stream-pauses.ts';

/** A window's counts with their rates, as `GET /v1/streams` answers them. */
export type RatedCounts = ReputationCounts & { complaintRate: number; hardBounceRate: number };

/** One stream in `GET /v1/streams`. */
export interface StreamOverview {
  name: string;
  paused: boolean;
  state: 'ok' | 'warn' | 'paused';
  pausedAt?: string;
  pausedBy?: 'guard' | 'operator';
  reason?: string;
  rates: { '24h': RatedCounts; '7d': RatedCounts };
  /** The same by recipient provider group, and by sending domain (the From's). */
  byProvider: Record<ProviderGroup, { '24h': RatedCounts; '7d': RatedCounts }>;
  byDomain: Record<string, { '24h': RatedCounts; '7d': RatedCounts }>;
}

export interface DeliverabilityReportsDeps {
  reader: ReputationReader;
  repository: GuardRepository;
  streams: readonly string[];
  thresholds: ReputationThresholds;
  now?: () => number;
}

export const rated = (counts: ReputationCounts): RatedCounts => ({ ...counts, complaintRate: rateOf(counts.complaints, counts.sends), hardBounceRate: rateOf(counts.hardBounces, counts.sends) });

function windowsOf(buckets: StreamBuckets, now: number): Record<ReputationWindow, Figures> {
  const lastHour = hourOf(now);
  return {
    '24h': sumBuckets(buckets.hours.filter((h) => h.hour > lastHour - 24).map((h) => h.hash)),
    '7d': sumBuckets(buckets.hours.map((h) => h.hash)),
    '30d': sumBuckets(buckets.days.map((d) => d.hash)),
  };
}

const historyEntry = (doc: GuardEventDoc): GuardHistoryEntry => ({
  at: doc.at.toISOString(),
  action: doc.action,
  ...(doc.actor === 'guard' ? {} : { actor: doc.actor }),
  ...(doc.explanation !== undefined ? { explanation: doc.explanation } : {}),
  ...(doc.figures ? { window: doc.figures.window, counts: doc.figures.counts } : {}),
});

/**
 * What the guard knows, read from the counter buckets and the guard's state and audit (docs/rules.md
 * §13): the full report the console's deliverability page renders, and the short overview of
 * `GET /v1/streams`. A few pipelines per stream; never on the send path.
 */
export class DeliverabilityReports {
  constructor(private readonly deps: DeliverabilityReportsDeps) {}

  async report(): Promise<DeliverabilityReport> {
    const now = this.now();
    const streams = await Promise.all(this.deps.streams.map((name) => this.streamReport(name, now)));
    return { generatedAt: new Date(now).toISOString(), thresholds: this.deps.thresholds, streams };
  }

  async overview(): Promise<StreamOverview[]> {
    const now = this.now();
    const docs = new Map((await this.deps.repository.all()).map((d) => [d._id, d]));
    return Promise.all(
      this.deps.streams.map(async (name): Promise<StreamOverview> => {
        const windows = windowsOf(await this.deps.reader.read(name, now, { days: false }), now);
        const guard = guardStateOf(docs.get(name));
        return {
          name,
          paused: guard.state === 'paused',
          state: guard.state,
          ...(guard.pausedAt ? { pausedAt: guard.pausedAt } : {}),
          ...(guard.pausedBy ? { pausedBy: guard.pausedBy } : {}),
          ...(guard.reason !== undefined ? { reason: guard.reason } : {}),
          rates: { '24h': rated(windows['24h'].total), '7d': rated(windows['7d'].total) },
          byProvider: Object.fromEntries(PROVIDER_GROUPS.map((g) => [g, { '24h': rated(windows['24h'].byProvider[g]), '7d': rated(windows['7d'].byProvider[g]) }])) as StreamOverview['byProvider'],
          // Every domain seen in 7 days (a domain quiet for 24 h reads zero there).
          byDomain: Object.fromEntries(
            [...windows['7d'].byDomain.keys()].sort().map((d) => [d, { '24h': rated(windows['24h'].byDomain.get(d) ?? zeroCounts()), '7d': rated(windows['7d'].byDomain.get(d)!) }]),
          ),
        };
      }),
    );
  }

  private async streamReport(name: string, now: number): Promise<StreamReputation> {
    const [buckets, doc, history] = await Promise.all([this.deps.reader.read(name, now), this.deps.repository.get(name), this.deps.repository.history(name)]);
    const windows = windowsOf(buckets, now);
    const byProvider = Object.fromEntries(
      PROVIDER_GROUPS.map((group) => [group, Object.fromEntries(REPUTATION_WINDOWS.map((w) => [w, { ...windows[w].byProvider[group] }]))]),
    ) as Record<ProviderGroup, Record<ReputationWindow, ReputationCounts>>;
    return {
      name,
      guard: guardStateOf(doc),
      windows: { '24h': windows['24h'].total, '7d': windows['7d'].total, '30d': windows['30d'].total },
      byProvider,
      daily: buckets.days.map((d) => ({ day: dayLabel(d.day), counts: sumBuckets([d.hash]).total })),
      topTemplates: topTemplates(windows['7d']),
      history: history.map(historyEntry),
    };
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}
