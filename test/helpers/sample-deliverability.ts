import {
  PROVIDER_GROUPS,
  REPUTATION_WINDOWS,
  type GuardState,
  type ProviderGroup,
  type ReputationCounts,
  type ReputationWindow,
  type StreamReputation,
} from '../../src/shared/deliverability.ts';

const DAY_MS = 86_400_000;

/** The providers' own defaults (docs/rules.md §13). */
export const DEFAULT_THRESHOLDS = { minVolume: 1000, warnComplaintRate: 0.001, pauseComplaintRate: 0.003, warnHardBounceRate: 0.02, pauseHardBounceRate: 0.05 };

const counts = (sends: number, hardBounces: number, softBounces: number, complaints: number): ReputationCounts => ({ sends, hardBounces, softBounces, complaints });
const scale = (c: ReputationCounts, f: number): ReputationCounts => counts(Math.round(c.sends * f), Math.round(c.hardBounces * f), Math.round(c.softBounces * f), Math.round(c.complaints * f));

/** How each provider group's share of a window is split (sums to 1). */
const SHARE: Record<ProviderGroup, number> = { gmail: 0.45, microsoft: 0.25, yahoo: 0.1, apple: 0.1, other: 0.1 };

/**
 * A plausible stream's figures in plain data: `last24h` as given, 7 and 30 days growing from it, 30
 * daily points (the last one carrying the 24 h figures, one day without sends to show a gap).
 */
export function sampleStream(name: string, now: Date, o: { last24h: ReputationCounts; guard?: GuardState; history?: StreamReputation['history']; topTemplates?: StreamReputation['topTemplates'] }): StreamReputation {
  const windows: Record<ReputationWindow, ReputationCounts> = { '24h': o.last24h, '7d': scale(o.last24h, 4), '30d': scale(o.last24h, 12) };
  const byProvider = Object.fromEntries(PROVIDER_GROUPS.map((g) => [g, Object.fromEntries(REPUTATION_WINDOWS.map((w) => [w, scale(windows[w], SHARE[g])]))])) as StreamReputation['byProvider'];
  const daily = Array.from({ length: 30 }, (_, i) => {
    const day = new Date(now.getTime() - (29 - i) * DAY_MS).toISOString().slice(0, 10);
    if (i === 29) return { day, counts: o.last24h };
    if (i === 12) return { day, counts: counts(0, 0, 0, 0) };
    return { day, counts: counts(400 + ((i * 37) % 200), i % 7 === 0 ? 9 : 3, 2, i % 9 === 0 ? 1 : 0) };
  });
  return { name, guard: o.guard ?? { state: 'ok' }, windows, byProvider, daily, topTemplates: o.topTemplates ?? [], history: o.history ?? [] };
}
