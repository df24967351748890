import { z } from 'zod';
import { parseFrequencyCaps, type FrequencyCapConfig } from './config-frequency-cap.ts';
import { parseStreams, type StreamConfig } from './config-streams.ts';
import { ConfigError, parseDurations, parseTrustProxy, type TrustProxy } from './config-values.ts';
import { parseReputation, type ReputationThresholds } from './config-reputation.ts';
import { checkQueuePrefix, parseRedisTarget, type RedisTarget } from './config-redis.ts';

export { ConfigError, type TrustProxy } from './config-values.ts';
export type { StreamConfig, StreamRate } from './config-streams.ts';
export type { FrequencyCapAction, FrequencyCapConfig, FrequencyCapRule } from './config-frequency-cap.ts';
export type { RedisTarget } from './config-redis.ts';

const DEV_SECRET = 'mailgate-dev-secret-do-not-use-in-production';
const DEV_ERASURE_KEY = 'mailgate-dev-erasure-key-do-not-use-in-production';
/** Values published in this repository (old compose defaults, the development secret and erasure key): never a real secret. */
const PLACEHOLDERS = new Set(['change-me-local-api-key', 'change-me-local-secret-0123456789', DEV_SECRET, DEV_ERASURE_KEY]);
const PRODUCTION_MIN_LENGTH = 32;

const emptyToUndefined = (value: unknown): unknown => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const int = (fallback: number, min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(emptyToUndefined, z.coerce.number({ error: message }).int(message).min(min, message).max(max, message).default(fallback));
};
const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  MONGO_URL: z.preprocess(emptyToUndefined, url(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017/mailgate')),
  REDIS_URL: z.preprocess(emptyToUndefined, url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379')),
  SMTP_URL: z.preprocess(emptyToUndefined, url(['smtp:', 'smtps:']).optional()),
  SMTP_POOL_SIZE: int(5, 1, 100),
  PORT: int(3000, 0, 65535),
  PUBLIC_URL: z.preprocess(emptyToUndefined, url(['http:', 'https:']).default('http://localhost:3000')),
  MAILGATE_API_KEY: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  MAILGATE_SECRET: optionalString,
  MAILGATE_ERASURE_KEY: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().min(3).default('mailgate@localhost')),
  MAIL_POSTAL_ADDRESS: z.preprocess(emptyToUndefined, z.string().default('mailgate · 1 Example Street · 12345 Example City')),
  DKIM_DOMAIN: optionalString,
  DKIM_SELECTOR: optionalString,
  DKIM_PRIVATE_KEY: optionalString,
  CONSENT_MODE: z.preprocess(emptyToUndefined, z.enum(['opt-out', 'opt-in']).default('opt-out')),
  // How batched reads by _id are shaped (docs/ferretdb.md): `auto` asks the server (buildInfo).
  MONGO_READ_SHAPE: z.preprocess(emptyToUndefined, z.enum(['auto', 'batched', 'point']).default('auto')),
  QUEUE_PREFIX: z.preprocess(emptyToUndefined, z.string().default('mailgate')), // checkQueuePrefix (config-redis.ts)
  WORKER_CONCURRENCY: int(50, 1, 1000),
  SEND_RATE_LIMIT: int(0, 0, 1_000_000),
  TEMPLATES_DIR: z.preprocess(emptyToUndefined, z.string().default('templates')),
  EML_DIR: z.preprocess(emptyToUndefined, z.string().default('.mailgate/outbox')),
  SUBSCRIBE_FORM_TYPES: optionalString,
  FEEDBACK_SES_TOPIC_ARNS: optionalString,
  FEEDBACK_POSTMARK_AUTH: z.preprocess(emptyToUndefined, z.string().regex(/^[^:]+:.{8,}$/, 'must be user:password with a password of 8 characters or more').optional()),
  FEEDBACK_SENDGRID_PUBLIC_KEY: optionalString,
  FEEDBACK_MAILGUN_SIGNING_KEY: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  FEEDBACK_SMTP_PORT: z.preprocess(emptyToUndefined, z.coerce.number({ error: 'must be a whole number from 0 to 65535' }).int().min(0).max(65535).optional()),
  FEEDBACK_SMTP_HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  BOUNCE_DOMAIN: z.preprocess(emptyToUndefined, z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a domain name such as bounces.example.com').optional()),
  FEEDBACK_COMPLAINT_ADDRESS: z.preprocess(emptyToUndefined, z.email('must be an email address').optional()),
  SOFT_BOUNCE_LIMIT: int(5, 1, 1000),
  SOFT_BOUNCE_WINDOW_DAYS: int(30, 1, 3650),
  CONSOLE_SESSION_MAX_HOURS: int(12, 1, 720),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  TRUST_PROXY: z.preprocess(emptyToUndefined, z.string().optional()),
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  METRICS_PORT: z.preprocess(emptyToUndefined, z.coerce.number({ error: 'must be a whole number from 0 to 65535' }).int().min(0).max(65535).optional()),
  METRICS_HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  SEND_ATTEMPTS: int(12, 1, 100),
  SEND_BACKOFF_MS: int(2000, 1, 3_600_000),
  SEND_BACKOFF_MAX_MS: int(5 * 60_000, 1, 24 * 3_600_000),
  RECONCILE_INTERVAL_MS: int(60_000, 100, 24 * 3_600_000),
  RECONCILE_GRACE_MS: int(5 * 60_000, 0, 7 * 24 * 3_600_000),
  RESUBSCRIBE_CONFIRMATIONS_PER_HOUR: int(500, 0, 1_000_000),
  MESSAGE_RETENTION_DAYS: int(30, 1, 3650),
  WEBHOOK_RETRY_SCHEDULE: z.preprocess(emptyToUndefined, z.string().default('5s,30s,2m,10m,30m,1h,2h,4h,8h,12h')),
  WEBHOOK_ALLOW_PRIVATE: z.preprocess(emptyToUndefined, z.enum(['true', 'false'], { error: 'must be true or false' }).default('false')),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
  WEBHOOK_CONCURRENCY: int(10, 1, 1000),
});

type Raw = z.infer<typeof schema>;

export interface Config {
  env: Raw['NODE_ENV'];
  mongoUrl: string;
  redisUrl: string;
  /** One server, the primary Sentinels name, or a cluster (config-redis.ts): every connection is opened from it. */
  redis: RedisTarget;
  smtpUrl: string | undefined;
  smtpPoolSize: number;
  port: number;
  publicUrl: string;
  apiKey: string | undefined;
  /** First one signs, all verify (rotation). */
  secrets: string[];
  usingDevSecret: boolean;
  /** Keys the erasure records (privacy/erasure-keys.ts); never rotated: README "The erasure key". */
  erasureKey: string;
  usingDevErasureKey: boolean;
  mailFrom: string;
  postalAddress: string;
  dkim: { domain: string; selector: string; privateKey: string } | undefined;
  consentMode: Raw['CONSENT_MODE'];
  /** `auto`: point reads on FerretDB, one `$in` per batch elsewhere; or forced (an unpatched FerretDB reads faster `batched`). */
  mongoReadShape: Raw['MONGO_READ_SHAPE'];
  queuePrefix: string;
  workerConcurrency: number;
  /** The default per-second limit of every stream, for the whole fleet (STREAM_<NAME>_RATE_PER_SECOND overrides it); 0 = unlimited. */
  sendRateLimit: number;
  /** The lanes mail leaves by (config-streams.ts): each with its queue, relay, identity and pace. */
  streams: StreamConfig[];
  templatesDir: string;
  emlDir: string;
  subscribeFormTypes: string[] | undefined;
  feedback: FeedbackConfig;
  logLevel: Raw['LOG_LEVEL'];
  /** Express's 'trust proxy' value: whose X-Forwarded-For to believe. `false` (the default) trusts none. */
  trustProxy: TrustProxy;
  metrics: MetricsConfig;
  /** The send retry schedule: attempts, first backoff, backoff cap (doubling, ±20 % jitter). */
  sendRetry: { attempts: number; backoffMs: number; backoffMaxMs: number };
  /** FREQUENCY_CAP, FREQUENCY_CAP_TYPES, FREQUENCY_CAP_ACTION (config-frequency-cap.ts); undefined: no cap. */
  frequencyCap: FrequencyCapConfig | undefined;
  /** The reconciler of orphaned messages (docs/rules.md §11): how often it runs, how long past due a message must be. */
  reconcile: { intervalMs: number; graceMs: number };
  /** Message records, outcomes and raw feedback older than this are deleted (consent events stay). */
  messageRetentionDays: number;
  /** Re-subscribe confirmation emails per hour, whole deployment (docs/rules.md §11); over it the form sends nothing. */
  resubscribeConfirmationsPerHour: number;
  /** A console session ends this long after its sign-in, however active (the idle limit is separate). */
  consoleSessionMaxHours: number;
  webhooks: WebhookConfig;
  /** The reputation guard's thresholds (config-reputation.ts, docs/rules.md §13). */
  reputation: ReputationThresholds;
}

/** Webhooks to the application (docs/rules.md §9). */
export interface WebhookConfig {
  /** The waits before the 2nd, 3rd, … attempt; after the last one a delivery is `failed`. */
  retryScheduleMs: number[];
  /** Endpoints on loopback, link-local and private addresses (SSRF): refused unless true. */
  allowPrivate: boolean;
  /** Per attempt; a slower answer counts as a failed attempt. */
  timeoutMs: number;
  /** Deliveries in flight per worker process. */
  concurrency: number;
}

/** Who may read /metrics: the API key, METRICS_TOKEN, or anyone reaching the separate METRICS_PORT listener. */
export interface MetricsConfig {
  token: string | undefined;
  /** A second listener serving only /metrics without auth; off when undefined. */
  port: number | undefined;
  host: string;
}

/** Relay feedback (docs/feedback.md): a source left unconfigured refuses every request. */
export interface FeedbackConfig {
  sesTopicArns: string[];
  postmarkAuth: string | undefined;
  sendgridPublicKey: string | undefined;
  mailgunSigningKey: string | undefined;
  /** Inbound SMTP for DSN/ARF mail; off when undefined. */
  smtpPort: number | undefined;
  smtpHost: string;
  /** VERP: outgoing mail uses `bounces+<messageId>@bounceDomain` as envelope sender. */
  bounceDomain: string | undefined;
  complaintAddress: string | undefined;
  softBounceLimit: number;
  softBounceWindowDays: number;
}

/** Reads the environment once. A bad value throws a ConfigError whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`invalid configuration: ${name}: ${issue?.message ?? 'invalid'}`);
  }
  const raw = parsed.data;
  const secrets = (raw.MAILGATE_SECRET ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (secrets.length === 0 && raw.NODE_ENV === 'production') throw new ConfigError('invalid configuration: MAILGATE_SECRET: required when NODE_ENV=production');
  if (secrets.some((s) => s.length < 16)) throw new ConfigError('invalid configuration: MAILGATE_SECRET: each secret must be at least 16 characters');
  if (raw.NODE_ENV === 'production') {
    checkProductionSecret('MAILGATE_SECRET', secrets);
    if (raw.MAILGATE_API_KEY !== undefined) checkProductionSecret('MAILGATE_API_KEY', [raw.MAILGATE_API_KEY]);
    if (raw.MAILGATE_ERASURE_KEY === undefined) {
      throw new ConfigError('invalid configuration: MAILGATE_ERASURE_KEY: required when NODE_ENV=production; generate it once and never change it, e.g. openssl rand -hex 32');
    }
    checkProductionSecret('MAILGATE_ERASURE_KEY', [raw.MAILGATE_ERASURE_KEY]);
  }
  const trustProxy = parseTrustProxy(raw.TRUST_PROXY);
  const dkimParts = [raw.DKIM_DOMAIN, raw.DKIM_SELECTOR, raw.DKIM_PRIVATE_KEY];
  const dkimSet = dkimParts.filter(Boolean).length;
  if (dkimSet !== 0 && dkimSet !== 3) {
    const missing = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY'][dkimParts.findIndex((p) => !p)];
    throw new ConfigError(`invalid configuration: ${missing}: required when any DKIM_* variable is set`);
  }
  const streams = parseStreams(env, {
    smtpUrl: raw.SMTP_URL,
    smtpPoolSize: raw.SMTP_POOL_SIZE,
    mailFrom: raw.MAIL_FROM,
    dkim: { domain: raw.DKIM_DOMAIN, selector: raw.DKIM_SELECTOR, privateKey: raw.DKIM_PRIVATE_KEY },
    bounceDomain: raw.BOUNCE_DOMAIN,
    concurrency: raw.WORKER_CONCURRENCY,
    perSecond: raw.SEND_RATE_LIMIT,
  });
  const relayed = streams.some((s) => s.smtpUrl !== undefined);
  if (raw.NODE_ENV === 'development' && relayed && (secrets.length === 0 || secrets.includes(DEV_SECRET))) {
    // Real mail carries links signed with this secret; the development one is public.
    throw new ConfigError('invalid configuration: MAILGATE_SECRET: required when SMTP_URL is set (the development secret is public)');
  }
  return {
    env: raw.NODE_ENV,
    mongoUrl: raw.MONGO_URL,
    redisUrl: raw.REDIS_URL,
    redis: parseRedisTarget(env, raw.REDIS_URL),
    smtpUrl: raw.SMTP_URL,
    smtpPoolSize: raw.SMTP_POOL_SIZE,
    port: raw.PORT,
    publicUrl: raw.PUBLIC_URL.replace(/\/+$/, ''),
    apiKey: raw.MAILGATE_API_KEY,
    secrets: secrets.length > 0 ? secrets : [DEV_SECRET],
    usingDevSecret: secrets.length === 0,
    erasureKey: raw.MAILGATE_ERASURE_KEY ?? DEV_ERASURE_KEY,
    usingDevErasureKey: raw.MAILGATE_ERASURE_KEY === undefined,
    mailFrom: raw.MAIL_FROM,
    postalAddress: raw.MAIL_POSTAL_ADDRESS,
    dkim:
      raw.DKIM_DOMAIN && raw.DKIM_SELECTOR && raw.DKIM_PRIVATE_KEY
        ? { domain: raw.DKIM_DOMAIN, selector: raw.DKIM_SELECTOR, privateKey: raw.DKIM_PRIVATE_KEY }
        : undefined,
    consentMode: raw.CONSENT_MODE,
    mongoReadShape: raw.MONGO_READ_SHAPE,
    queuePrefix: checkQueuePrefix(raw.QUEUE_PREFIX),
    workerConcurrency: raw.WORKER_CONCURRENCY,
    sendRateLimit: raw.SEND_RATE_LIMIT,
    streams,
    templatesDir: raw.TEMPLATES_DIR,
    emlDir: raw.EML_DIR,
    subscribeFormTypes: raw.SUBSCRIBE_FORM_TYPES?.split(',').map((s) => s.trim()).filter(Boolean),
    feedback: {
      sesTopicArns: (raw.FEEDBACK_SES_TOPIC_ARNS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
      postmarkAuth: raw.FEEDBACK_POSTMARK_AUTH,
      sendgridPublicKey: raw.FEEDBACK_SENDGRID_PUBLIC_KEY,
      mailgunSigningKey: raw.FEEDBACK_MAILGUN_SIGNING_KEY,
      smtpPort: raw.FEEDBACK_SMTP_PORT,
      smtpHost: raw.FEEDBACK_SMTP_HOST,
      bounceDomain: raw.BOUNCE_DOMAIN?.toLowerCase(),
      complaintAddress: raw.FEEDBACK_COMPLAINT_ADDRESS?.toLowerCase(),
      softBounceLimit: raw.SOFT_BOUNCE_LIMIT,
      softBounceWindowDays: raw.SOFT_BOUNCE_WINDOW_DAYS,
    },
    logLevel: raw.LOG_LEVEL,
    trustProxy,
    metrics: { token: raw.METRICS_TOKEN, port: raw.METRICS_PORT, host: raw.METRICS_HOST },
    sendRetry: { attempts: raw.SEND_ATTEMPTS, backoffMs: raw.SEND_BACKOFF_MS, backoffMaxMs: raw.SEND_BACKOFF_MAX_MS },
    frequencyCap: parseFrequencyCaps(env),
    reconcile: { intervalMs: raw.RECONCILE_INTERVAL_MS, graceMs: raw.RECONCILE_GRACE_MS },
    messageRetentionDays: raw.MESSAGE_RETENTION_DAYS,
    resubscribeConfirmationsPerHour: raw.RESUBSCRIBE_CONFIRMATIONS_PER_HOUR,
    consoleSessionMaxHours: raw.CONSOLE_SESSION_MAX_HOURS,
    webhooks: {
      retryScheduleMs: parseDurations('WEBHOOK_RETRY_SCHEDULE', raw.WEBHOOK_RETRY_SCHEDULE),
      allowPrivate: raw.WEBHOOK_ALLOW_PRIVATE === 'true',
      timeoutMs: raw.WEBHOOK_TIMEOUT_MS,
      concurrency: raw.WEBHOOK_CONCURRENCY,
    },
    reputation: parseReputation(env),
  };
}

function checkProductionSecret(name: string, values: string[]): void {
  if (values.some((v) => PLACEHOLDERS.has(v))) {
    throw new ConfigError(`invalid configuration: ${name}: is a published placeholder; generate one, e.g. openssl rand -hex 32`);
  }
  if (values.some((v) => v.length < PRODUCTION_MIN_LENGTH)) {
    throw new ConfigError(`invalid configuration: ${name}: must be at least ${PRODUCTION_MIN_LENGTH} characters when NODE_ENV=production`);
  }
}

/** For process entry points: a bad configuration prints its one line and exits 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}
