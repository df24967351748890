import { isIP } from 'node:net';

/** Parsers of the configuration's compound values (config.ts reads the environment; these only check strings). */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type TrustProxy = boolean | number | string[];

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATIONS_HINT = 'must be comma-separated durations such as 5s,30s,2m,1h (units ms, s, m, h, d), at most 50, each up to 7d';

/** `5s,30s,2m` → [5000, 30000, 120000]; empty entries are ignored, anything else unreadable is refused. */
export function parseDurations(name: string, value: string): number[] {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  const out = entries.map((entry) => /^(\d+)(ms|s|m|h|d)$/.exec(entry)).map((m) => (m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : NaN));
  if (out.length > 50 || !out.every((ms) => ms > 0 && ms <= 7 * 86_400_000)) throw new ConfigError(`invalid configuration: ${name}: ${DURATIONS_HINT}`);
  return out;
}

const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const TRUST_PROXY_HINT = 'must be true, false, a hop count, or comma-separated IPs, CIDRs, loopback, linklocal, uniquelocal';

/** Express's 'trust proxy' syntax, checked here so a typo fails at start-up instead of trusting nobody (or everybody). */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 100) throw new ConfigError(`invalid configuration: TRUST_PROXY: ${TRUST_PROXY_HINT}`);
    return hops;
  }
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  const valid = (entry: string) => {
    if (TRUST_PROXY_NAMES.has(entry)) return true;
    const [ip, prefix, extra] = entry.split('/');
    const family = isIP(ip ?? '');
    if (family === 0 || extra !== undefined) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  };
  if (entries.length === 0 || !entries.every(valid)) throw new ConfigError(`invalid configuration: TRUST_PROXY: ${TRUST_PROXY_HINT}`);
  return entries;
}

