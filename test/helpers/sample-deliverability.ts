import {
  PROVIDER_GROUPS,
  REPUTATION_WINDOWS,
  type DeliverabilityReport,
  type GuardActor,
  type GuardState,
  type ProviderGroup,
  type ReputationCounts,
  type ReputationControl,
  type ReputationWindow,
  type StreamReputation,
} from '../../src/shared/deliverability.ts';
import { AppError } from '../../src/shared/errors.ts';

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

/**
 * A ReputationControl over a plain in-memory report, as the console sees the real guard: pause and
 * resume change the stream's state and history and refuse as the guard does (AppError 404
 * `unknown_stream`, 422 `explanation_required`, 409 `stream_not_paused` / `stream_already_paused`).
 */
export class InMemoryReputation implements ReputationControl {
  constructor(private readonly current: DeliverabilityReport) {}

  report(): Promise<DeliverabilityReport> {
    return Promise.resolve(structuredClone(this.current));
  }

  pause(stream: string, by: GuardActor): Promise<GuardState> {
    return this.change(stream, by, 'paused');
  }

  resume(stream: string, by: GuardActor): Promise<GuardState> {
    return this.change(stream, by, 'resumed');
  }

  private change(name: string, by: GuardActor, action: 'paused' | 'resumed'): Promise<GuardState> {
    const s = this.current.streams.find((x) => x.name === name);
    if (!s) return Promise.reject(new AppError('unknown_stream', `No stream named "${name}"`, { status: 404 }));
    if (by.explanation.trim() === '') return Promise.reject(new AppError('explanation_required', `An explanation is required to ${action === 'paused' ? 'pause' : 'resume'} a stream`, { status: 422 }));
    if (action === 'resumed' && s.guard.state !== 'paused') return Promise.reject(new AppError('stream_not_paused', `Stream "${name}" is not paused`, { status: 409 }));
    if (action === 'paused' && s.guard.state === 'paused') return Promise.reject(new AppError('stream_already_paused', `Stream "${name}" is paused already`, { status: 409 }));
    const at = new Date().toISOString();
    s.guard = action === 'paused' ? { state: 'paused', pausedAt: at, pausedBy: 'operator', reason: by.explanation } : { state: 'ok' };
    s.history.push({ at, action, actor: by.actor, explanation: by.explanation });
    return Promise.resolve(structuredClone(s.guard));
  }
}
