import { ConfigError } from './config-values.ts';
import type { ReputationThresholds } from './shared/deliverability.ts';

export type { ReputationThresholds } from './shared/deliverability.ts';

/**
 * The reputation guard's thresholds (docs/rules.md §13): REPUTATION_MIN_VOLUME and the warn and
 * pause rates of complaints and hard bounces. Defaults are the mailbox providers' own (Gmail 0.1 %
 * and 0.3 % complaints; SES and HubSpot 5 % bounces). A rate reads `0.3%` or `0.003`. config.ts
 * calls this once; a bad value throws a ConfigError of one line naming the variable.
 */
const DEFAULTS = {
  REPUTATION_WARN_COMPLAINT_RATE: '0.1%',
  REPUTATION_PAUSE_COMPLAINT_RATE: '0.3%',
  REPUTATION_WARN_HARD_BOUNCE_RATE: '2%',
  REPUTATION_PAUSE_HARD_BOUNCE_RATE: '5%',
} as const;

const RATE_HINT = 'must be a rate above 0 and at most 100 %, written 0.3% or 0.003';

/** `0.3%` → 0.003, `0.003` → 0.003; empty → the default; anything else, 0 or above 100 % is refused. */
export function parseRate(name: string, value: string | undefined, fallback: string): number {
  const text = value === undefined || value.trim() === '' ? fallback : value.trim();
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text);
  const rate = match ? Number(match[1]) / (match[2] === '%' ? 100 : 1) : NaN;
  if (!(rate > 0 && rate <= 1)) throw new ConfigError(`invalid configuration: ${name}: ${RATE_HINT}`);
  return rate;
}

export function parseReputation(env: NodeJS.ProcessEnv): ReputationThresholds {
  const volume = env.REPUTATION_MIN_VOLUME?.trim() || '1000';
  if (!/^\d{1,9}$/.test(volume) || Number(volume) < 1) throw new ConfigError('invalid configuration: REPUTATION_MIN_VOLUME: must be a whole number of sends from 1 to 999999999');
  const rate = (name: keyof typeof DEFAULTS) => parseRate(name, env[name], DEFAULTS[name]);
  const thresholds: ReputationThresholds = {
    minVolume: Number(volume),
    warnComplaintRate: rate('REPUTATION_WARN_COMPLAINT_RATE'),
    pauseComplaintRate: rate('REPUTATION_PAUSE_COMPLAINT_RATE'),
    warnHardBounceRate: rate('REPUTATION_WARN_HARD_BOUNCE_RATE'),
    pauseHardBounceRate: rate('REPUTATION_PAUSE_HARD_BOUNCE_RATE'),
  };
  // A warning that comes after the pause would never be seen: name the warn variable.
  if (thresholds.warnComplaintRate > thresholds.pauseComplaintRate) throw new ConfigError('invalid configuration: REPUTATION_WARN_COMPLAINT_RATE: must not be above REPUTATION_PAUSE_COMPLAINT_RATE');
  if (thresholds.warnHardBounceRate > thresholds.pauseHardBounceRate) throw new ConfigError('invalid configuration: REPUTATION_WARN_HARD_BOUNCE_RATE: must not be above REPUTATION_PAUSE_HARD_BOUNCE_RATE');
  return thresholds;
}
