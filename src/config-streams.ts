import { ConfigError } from './config-values.ts';
import { MESSAGE_KINDS, type MessageKind } from './shared/message-kinds.ts';

/**
 * Streams (docs/rules.md §12): lanes with their own queue, relay, identity and pace. Read from
 * `STREAMS` and `STREAM_<NAME>_<SETTING>`; every relay and identity setting falls back to today's
 * single setting (SMTP_URL, MAIL_FROM, DKIM_*, BOUNCE_DOMAIN, WORKER_CONCURRENCY, SEND_RATE_LIMIT…).
 * config.ts calls this once; a bad value throws a ConfigError of one line naming the variable.
 */
export interface StreamConfig {
  name: string;
  /** The kinds routed here; each kind belongs to exactly one stream. */
  kinds: MessageKind[];
  /** Subscription types whose marketing is routed here, whatever stream claims `marketing`. */
  types: string[];
  /** The relay; undefined: development writes `.eml` files (config.ts refuses that in production). */
  smtpUrl: string | undefined;
  smtpPoolSize: number;
  /** The secondary relay the stream fails over to when the primary is unreachable. */
  smtpFallbackUrl: string | undefined;
  /** With a fallback: connection timeouts in a row before switching (a refusal switches at once), and how long to stay before probing the primary. */
  failover: { after: number; coolOffMs: number };
  mailFrom: string;
  dkim: { domain: string; selector: string; privateKey: string } | undefined;
  /** VERP: `bounces+<id>.<tag>@bounceDomain`; off when undefined. */
  bounceDomain: string | undefined;
  /** Jobs of this stream one worker process runs at once (its own BullMQ Worker). */
  concurrency: number;
  /** Sends per window for the whole fleet; 0 = unlimited. */
  rate: StreamRate;
}

export interface StreamRate {
  perSecond: number;
  perMinute: number;
  perDay: number;
}

/** The single settings every stream falls back to (config.ts has validated them already). */
export interface StreamDefaults {
  smtpUrl: string | undefined;
  smtpPoolSize: number;
  mailFrom: string;
  dkim: { domain: string | undefined; selector: string | undefined; privateKey: string | undefined };
  bounceDomain: string | undefined;
  concurrency: number;
  perSecond: number;
}

const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const DEFAULT_STREAMS = 'transactional,marketing';
const DEFAULT_KINDS: Record<string, MessageKind[]> = { transactional: ['transactional', 'one_to_one'], marketing: ['marketing'] };
const SETTINGS = [
  'KINDS', 'TYPES', 'SMTP_URL', 'SMTP_POOL_SIZE', 'SMTP_FALLBACK_URL', 'MAIL_FROM', 'DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY',
  'BOUNCE_DOMAIN', 'CONCURRENCY', 'RATE_PER_SECOND', 'RATE_PER_MINUTE', 'RATE_PER_DAY', 'FAILOVER_AFTER', 'FAILOVER_COOL_OFF_SECONDS',
] as const;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

const fail = (name: string, message: string): never => {
  throw new ConfigError(`invalid configuration: ${name}: ${message}`);
};
const list = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The streams the environment names, in order, with every setting resolved. */
export function parseStreams(env: NodeJS.ProcessEnv, defaults: StreamDefaults): StreamConfig[] {
  const names = list(env.STREAMS === '' ? undefined : (env.STREAMS ?? DEFAULT_STREAMS));
  if (names.length === 0) fail('STREAMS', 'must name at least one stream');
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined) fail('STREAMS', `"${bad.slice(0, 40)}" is not a stream name (a-z first, then a-z, 0-9, _; at most 32 characters)`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) fail('STREAMS', `names stream "${twice}" twice`);
  refuseStrayVariables(env, names);

  const streams = names.map((name) => parseStream(env, name, defaults));
  const kindOwner = new Map<MessageKind, string>();
  const typeOwner = new Map<string, string>();
  for (const stream of streams) {
    const variable = `STREAM_${stream.name.toUpperCase()}`;
    for (const kind of stream.kinds) {
      const owner = kindOwner.get(kind);
      if (owner !== undefined) fail(`${variable}_KINDS`, `kind "${kind}" is already claimed by stream "${owner}"`);
      kindOwner.set(kind, stream.name);
    }
    for (const type of stream.types) {
      const owner = typeOwner.get(type);
      if (owner !== undefined) fail(`${variable}_TYPES`, `subscription type "${type}" is already claimed by stream "${owner}"`);
      typeOwner.set(type, stream.name);
    }
  }
  const unclaimed = MESSAGE_KINDS.find((kind) => !kindOwner.has(kind));
  if (unclaimed !== undefined) fail('STREAMS', `no stream claims kind "${unclaimed}"; add it to one stream's STREAM_<NAME>_KINDS`);
  return streams;
}

function parseStream(env: NodeJS.ProcessEnv, name: string, defaults: StreamDefaults): StreamConfig {
  const prefix = `STREAM_${name.toUpperCase()}_`;
  const read = (setting: (typeof SETTINGS)[number]): string | undefined => {
    const value = env[prefix + setting];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const int = (setting: (typeof SETTINGS)[number], fallback: number, min: number, max: number): number => {
    const value = read(setting);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) fail(prefix + setting, `must be a whole number from ${min} to ${max}`);
    return n;
  };
  const relayUrl = (setting: 'SMTP_URL' | 'SMTP_FALLBACK_URL'): string | undefined => {
    const value = read(setting);
    if (value !== undefined && !isUrl(value, ['smtp:', 'smtps:'])) fail(prefix + setting, 'must be a URL starting with smtp:// or smtps://');
    return value;
  };

  const kindsText = read('KINDS');
  const kinds = kindsText === undefined ? (DEFAULT_KINDS[name] ?? []) : list(kindsText);
  const unknownKind = kinds.find((k) => !(MESSAGE_KINDS as readonly string[]).includes(k));
  if (unknownKind !== undefined) fail(`${prefix}KINDS`, `unknown kind "${unknownKind.slice(0, 40)}"; the kinds are ${MESSAGE_KINDS.join(', ')}`);

  const mailFrom = read('MAIL_FROM') ?? defaults.mailFrom;
  if (mailFrom.length < 3) fail(`${prefix}MAIL_FROM`, 'must be an address such as News <news@example.com>');
  const bounceDomain = read('BOUNCE_DOMAIN') ?? defaults.bounceDomain;
  if (bounceDomain !== undefined && !DOMAIN.test(bounceDomain)) fail(`${prefix}BOUNCE_DOMAIN`, 'must be a domain name such as bounces.example.com');

  const dkimParts = {
    DKIM_DOMAIN: read('DKIM_DOMAIN') ?? defaults.dkim.domain,
    DKIM_SELECTOR: read('DKIM_SELECTOR') ?? defaults.dkim.selector,
    DKIM_PRIVATE_KEY: read('DKIM_PRIVATE_KEY') ?? defaults.dkim.privateKey,
  };
  const missingDkim = Object.entries(dkimParts).find(([, v]) => v === undefined)?.[0];
  if (missingDkim !== undefined && Object.values(dkimParts).some((v) => v !== undefined)) {
    fail(prefix + missingDkim, 'required when any DKIM setting of the stream (or DKIM_*) is set');
  }

  const smtpUrl = relayUrl('SMTP_URL') ?? defaults.smtpUrl;
  const smtpFallbackUrl = relayUrl('SMTP_FALLBACK_URL');
  if (smtpFallbackUrl !== undefined && smtpUrl === undefined) fail(`${prefix}SMTP_FALLBACK_URL`, `needs a primary relay (${prefix}SMTP_URL or SMTP_URL)`);
  return {
    name,
    kinds: kinds as MessageKind[],
    types: list(read('TYPES')),
    smtpUrl,
    smtpPoolSize: int('SMTP_POOL_SIZE', defaults.smtpPoolSize, 1, 100),
    smtpFallbackUrl,
    failover: { after: int('FAILOVER_AFTER', 3, 1, 100), coolOffMs: int('FAILOVER_COOL_OFF_SECONDS', 300, 1, 86_400) * 1000 },
    mailFrom,
    dkim:
      dkimParts.DKIM_DOMAIN && dkimParts.DKIM_SELECTOR && dkimParts.DKIM_PRIVATE_KEY
        ? { domain: dkimParts.DKIM_DOMAIN, selector: dkimParts.DKIM_SELECTOR, privateKey: dkimParts.DKIM_PRIVATE_KEY }
        : undefined,
    bounceDomain: bounceDomain?.toLowerCase(),
    concurrency: int('CONCURRENCY', defaults.concurrency, 1, 1000),
    rate: {
      perSecond: int('RATE_PER_SECOND', defaults.perSecond, 0, 1_000_000),
      perMinute: int('RATE_PER_MINUTE', 0, 0, 60_000_000),
      perDay: int('RATE_PER_DAY', 0, 0, 1_000_000_000),
    },
  };
}

/** A setting for a stream STREAMS does not name is a typo that would silently do nothing: refused. */
function refuseStrayVariables(env: NodeJS.ProcessEnv, names: string[]): void {
  const known = new Set(names.flatMap((n) => SETTINGS.map((s) => `STREAM_${n.toUpperCase()}_${s}`)));
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith('STREAM_') || known.has(variable) || env[variable] === undefined || env[variable] === '') continue;
    if (SETTINGS.some((s) => variable.endsWith(`_${s}`))) fail(variable, `names no stream in STREAMS (${names.join(', ')})`);
  }
}

