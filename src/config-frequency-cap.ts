import { ConfigError } from './config-values.ts';

/**
 * Frequency caps (docs/rules.md §13): at most `limit` marketing messages to one mailbox in a rolling
 * window, overall (`FREQUENCY_CAP`) and per subscription type (`FREQUENCY_CAP_TYPES`). config.ts
 * calls this once; a bad value throws a ConfigError of one line naming the variable. Whether a type
 * exists is checked against the catalog at start-up (composition/messages.ts checkFrequencyCapTypes).
 */
export interface FrequencyCapRule {
  limit: number;
  windowMs: number;
}

export const FREQUENCY_CAP_ACTIONS = ['suppress', 'defer'] as const;
export type FrequencyCapAction = (typeof FREQUENCY_CAP_ACTIONS)[number];

export interface FrequencyCapConfig {
  /** The cap over all marketing to a mailbox; undefined: none. */
  overall: FrequencyCapRule | undefined;
  /** Caps per subscription type, by type name. */
  types: ReadonlyMap<string, FrequencyCapRule>;
  /** Over the cap: the message is `suppressed` (`frequency_capped`), or held until the window frees. */
  action: FrequencyCapAction;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
// Bounds that keep the Redis sorted sets small and a window's arithmetic exact.
const MAX_LIMIT = 10_000;
const MAX_WINDOW_MS = 366 * 86_400_000;
const CAP = /^(\d{1,6})\/(\d{1,6})([smhd])$/;
// The catalog's id syntax (subscriptions/catalog.ts): it also keeps the Redis keys plain.
const TYPE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const CAP_HINT = 'must be N/window such as 3/7d (N from 1 to 10000; window a whole number of s, m, h or d, more than 0 and at most 366d)';

const fail = (name: string, message: string): never => {
  throw new ConfigError(`invalid configuration: ${name}: ${message}`);
};

/** `3/7d` → {limit 3, windowMs 7 days}; a cap of 0, a window of 0 and anything unreadable are refused. */
export function parseFrequencyCap(name: string, value: string): FrequencyCapRule {
  const match = CAP.exec(value.trim());
  if (!match) return fail(name, CAP_HINT);
  const limit = Number(match[1]);
  const windowMs = Number(match[2]) * UNITS[match[3]!]!;
  if (limit < 1 || limit > MAX_LIMIT || windowMs <= 0 || windowMs > MAX_WINDOW_MS) return fail(name, CAP_HINT);
  return { limit, windowMs };
}

/** The caps the environment names; undefined when neither FREQUENCY_CAP nor FREQUENCY_CAP_TYPES sets one. */
export function parseFrequencyCaps(env: NodeJS.ProcessEnv): FrequencyCapConfig | undefined {
  const action = (env.FREQUENCY_CAP_ACTION ?? '').trim() || 'suppress';
  if (!(FREQUENCY_CAP_ACTIONS as readonly string[]).includes(action)) fail('FREQUENCY_CAP_ACTION', 'must be suppress or defer');
  const overallRaw = (env.FREQUENCY_CAP ?? '').trim();
  const overall = overallRaw === '' ? undefined : parseFrequencyCap('FREQUENCY_CAP', overallRaw);
  const types = new Map<string, FrequencyCapRule>();
  for (const entry of (env.FREQUENCY_CAP_TYPES ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const type = eq > 0 ? entry.slice(0, eq).trim() : '';
    if (!TYPE.test(type)) fail('FREQUENCY_CAP_TYPES', 'must be type=N/window pairs separated by commas, such as newsletter=1/1d,promotions=2/7d');
    if (types.has(type)) fail('FREQUENCY_CAP_TYPES', `names type "${type}" twice`);
    types.set(type, parseFrequencyCap('FREQUENCY_CAP_TYPES', entry.slice(eq + 1)));
  }
  if (overall === undefined && types.size === 0) return undefined;
  return { overall, types, action: action as FrequencyCapAction };
}
