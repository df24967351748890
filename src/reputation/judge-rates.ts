import type { ReputationCounts, ReputationThresholds, ReputationWindow } from '../shared/deliverability.ts';
import { rateOf } from './reputation-figures.ts';

export interface Judgement {
  level: 'ok' | 'warn' | 'pause';
  /** The window that decided (the worst one; ties: the shorter). */
  window?: ReputationWindow;
  counts?: ReputationCounts;
  /** One line an operator reads, e.g. `complaint rate 0.35 % over 24h (7 of 2000 sends), pause at 0.3 %`. */
  reason?: string;
}

const percent = (rate: number): string => `${Number((rate * 100).toFixed(3))} %`;
const LEVEL = { ok: 0, warn: 1, pause: 2 } as const;

/**
 * The guard's rule (docs/rules.md §13), pure: a window is judged only once it holds `minVolume`
 * sends; a rate at or above its pause threshold pauses, at or above its warn threshold warns. The
 * worst window decides.
 */
export function judgeRates(windows: readonly { window: ReputationWindow; counts: ReputationCounts }[], t: ReputationThresholds): Judgement {
  let worst: Judgement = { level: 'ok' };
  for (const { window, counts } of windows) {
    if (counts.sends < t.minVolume) continue;
    const checks = [
      { what: 'complaint rate', part: counts.complaints, warn: t.warnComplaintRate, pause: t.pauseComplaintRate },
      { what: 'hard-bounce rate', part: counts.hardBounces, warn: t.warnHardBounceRate, pause: t.pauseHardBounceRate },
    ];
    for (const check of checks) {
      const rate = rateOf(check.part, counts.sends);
      const level = rate >= check.pause ? 'pause' : rate >= check.warn ? 'warn' : 'ok';
      if (LEVEL[level] <= LEVEL[worst.level]) continue;
      const limit = level === 'pause' ? `pause at ${percent(check.pause)}` : `warn at ${percent(check.warn)}`;
      worst = { level, window, counts, reason: `${check.what} ${percent(rate)} over ${window} (${check.part} of ${counts.sends} sends), ${limit}` };
    }
  }
  return worst;
}
