import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../src/config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.mongoUrl).toBe('mongodb://127.0.0.1:27017/mailgate');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.mailFrom).toBe('mailgate@localhost');
    expect(config.consentMode).toBe('opt-out');
    expect(config.mongoReadShape).toBe('auto');
    expect(config.smtpUrl).toBeUndefined();
    expect(config.apiKey).toBeUndefined();
    expect(config.dkim).toBeUndefined();
    expect(config.usingDevSecret).toBe(true);
    expect(config.usingDevErasureKey).toBe(true);
    expect(config.erasureKey).toBe('mailgate-dev-erasure-key-do-not-use-in-production');
  });

  it('reads good values', () => {
    const config = loadConfig({
      PORT: '8080',
      SMTP_URL: 'smtp://127.0.0.1:1025',
      CONSENT_MODE: 'opt-in',
      MONGO_READ_SHAPE: 'batched',
      MAILGATE_SECRET: 'first-secret-0123456789, second-secret-0123456789',
      MAILGATE_ERASURE_KEY: 'my-erasure-key-0123456789',
      PUBLIC_URL: 'https://mail.example.com/',
    });
    expect(config.port).toBe(8080);
    expect(config.smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(config.consentMode).toBe('opt-in');
    expect(config.mongoReadShape).toBe('batched');
    expect(config.secrets).toEqual(['first-secret-0123456789', 'second-secret-0123456789']);
    expect(config.publicUrl).toBe('https://mail.example.com');
    expect(config.usingDevSecret).toBe(false);
    expect(config.erasureKey).toBe('my-erasure-key-0123456789');
    expect(config.usingDevErasureKey).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MONGO_URL: 'http://example.com' }, 'MONGO_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ SMTP_URL: 'ftp://x' }, 'SMTP_URL'],
    [{ CONSENT_MODE: 'maybe' }, 'CONSENT_MODE'],
    [{ MONGO_READ_SHAPE: 'sometimes' }, 'MONGO_READ_SHAPE'],
    [{ MAILGATE_API_KEY: 'short' }, 'MAILGATE_API_KEY'],
    [{ NODE_ENV: 'production' }, 'MAILGATE_SECRET'],
    [{ MAILGATE_SECRET: 'tiny' }, 'MAILGATE_SECRET'],
    [{ MAILGATE_ERASURE_KEY: 'tiny' }, 'MAILGATE_ERASURE_KEY'],
    [{ DKIM_DOMAIN: 'example.com' }, 'DKIM_SELECTOR'],
    [{ QUEUE_PREFIX: 'a:b' }, 'QUEUE_PREFIX'],
  ])('refuses %o with one line naming %s', (env, name) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(name);
    expect(message).not.toContain('\n');
  });

  it('requires a secret in production and accepts one', () => {
    expect(loadConfig({ NODE_ENV: 'production', MAILGATE_SECRET: 'production-secret-0123456789abcdef', MAILGATE_ERASURE_KEY: 'production-erasure-key-0123456789abcdef' }).secrets).toHaveLength(1);
  });
});

/** The one line a refused configuration throws, or undefined when it loads. */
function refusal(env: NodeJS.ProcessEnv): string | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
}

describe('secrets are safe by default (docs/rules.md §11)', () => {
  const SECRET = 'a'.repeat(20) + '-production-secret-0123456789';
  const KEY = 'k'.repeat(20) + '-production-api-key-0123456789';
  const ERASURE_KEY = 'e'.repeat(20) + '-production-erasure-key-0123456789';
  const DEV_SECRET = 'mailgate-dev-secret-do-not-use-in-production';
  const DEV_ERASURE_KEY = 'mailgate-dev-erasure-key-do-not-use-in-production';
  const production = (env: NodeJS.ProcessEnv) => ({ NODE_ENV: 'production', MAILGATE_SECRET: SECRET, MAILGATE_API_KEY: KEY, MAILGATE_ERASURE_KEY: ERASURE_KEY, ...env });

  it.each([
    ['the old compose secret', { MAILGATE_SECRET: 'change-me-local-secret-0123456789' }, 'MAILGATE_SECRET'],
    ['the old compose API key as secret', { MAILGATE_SECRET: 'change-me-local-api-key' }, 'MAILGATE_SECRET'],
    ['the development secret', { MAILGATE_SECRET: DEV_SECRET }, 'MAILGATE_SECRET'],
    ['a placeholder among rotated secrets', { MAILGATE_SECRET: `${SECRET},change-me-local-secret-0123456789` }, 'MAILGATE_SECRET'],
    ['a 31-character secret', { MAILGATE_SECRET: 's'.repeat(31) }, 'MAILGATE_SECRET'],
    ['the old compose API key', { MAILGATE_API_KEY: 'change-me-local-api-key' }, 'MAILGATE_API_KEY'],
    ['the old compose secret as API key', { MAILGATE_API_KEY: 'change-me-local-secret-0123456789' }, 'MAILGATE_API_KEY'],
    ['a 31-character API key', { MAILGATE_API_KEY: 'k'.repeat(31) }, 'MAILGATE_API_KEY'],
    ['no erasure key', { MAILGATE_ERASURE_KEY: undefined }, 'MAILGATE_ERASURE_KEY'],
    ['an empty erasure key', { MAILGATE_ERASURE_KEY: '' }, 'MAILGATE_ERASURE_KEY'],
    ['a 31-character erasure key', { MAILGATE_ERASURE_KEY: 'e'.repeat(31) }, 'MAILGATE_ERASURE_KEY'],
    ['the development erasure key', { MAILGATE_ERASURE_KEY: DEV_ERASURE_KEY }, 'MAILGATE_ERASURE_KEY'],
    ['the development secret as erasure key', { MAILGATE_ERASURE_KEY: DEV_SECRET }, 'MAILGATE_ERASURE_KEY'],
    ['the old compose secret as erasure key', { MAILGATE_ERASURE_KEY: 'change-me-local-secret-0123456789' }, 'MAILGATE_ERASURE_KEY'],
  ])('refuses %s in production with one line naming %s', (_label, env, name) => {
    const message = refusal(production(env));
    expect(message).toMatch(new RegExp(`^invalid configuration: ${name}: `));
    expect(message).not.toContain('\n');
  });

  it('says what to do when the erasure key is missing in production', () => {
    expect(refusal(production({ MAILGATE_ERASURE_KEY: undefined }))).toBe(
      'invalid configuration: MAILGATE_ERASURE_KEY: required when NODE_ENV=production; generate it once and never change it, e.g. openssl rand -hex 32',
    );
  });

  it('accepts 32-character secrets and keys in production, and no API key at all', () => {
    expect(refusal(production({ MAILGATE_SECRET: 's'.repeat(32), MAILGATE_API_KEY: 'k'.repeat(32), MAILGATE_ERASURE_KEY: 'e'.repeat(32) }))).toBeUndefined();
    expect(refusal(production({ MAILGATE_API_KEY: undefined }))).toBeUndefined();
  });

  it('refuses the development secret when SMTP_URL sends real mail outside NODE_ENV=test', () => {
    for (const NODE_ENV of [undefined, 'development']) {
      expect(refusal({ NODE_ENV, SMTP_URL: 'smtp://127.0.0.1:1025' })).toMatch(/^invalid configuration: MAILGATE_SECRET: /);
      expect(refusal({ NODE_ENV, SMTP_URL: 'smtp://127.0.0.1:1025', MAILGATE_SECRET: DEV_SECRET })).toMatch(/^invalid configuration: MAILGATE_SECRET: /);
      expect(refusal({ NODE_ENV, SMTP_URL: 'smtp://127.0.0.1:1025', MAILGATE_SECRET: 'my-own-dev-secret-0123' })).toBeUndefined();
    }
    // tests and .eml-only development keep working without a secret
    expect(loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtp://127.0.0.1:1025' }).usingDevSecret).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).usingDevSecret).toBe(true);
  });
});

describe('TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '' }).trustProxy).toBe(false);
  });

  it.each([
    ['false', false],
    ['true', true],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8', ['loopback', '10.0.0.0/8']],
    ['172.16.0.0/12', ['172.16.0.0/12']],
    ['192.0.2.10,2001:db8::/32,uniquelocal,linklocal', ['192.0.2.10', '2001:db8::/32', 'uniquelocal', 'linklocal']],
  ])('reads %s as Express reads it', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['yes', 'loopbak', '10.0.0.0/33', '300.1.1.1', '10.0.0.0/8/1', ',', '-1', '1.5', '101'])('refuses %s naming TRUST_PROXY', (value) => {
    expect(refusal({ TRUST_PROXY: value })).toMatch(/^invalid configuration: TRUST_PROXY: /);
  });
});

describe('metrics access', () => {
  it('defaults to API key only: no token, no separate port, loopback host', () => {
    expect(loadConfig({}).metrics).toEqual({ token: undefined, port: undefined, host: '127.0.0.1' });
  });

  it('reads METRICS_TOKEN, METRICS_PORT and METRICS_HOST', () => {
    const { metrics } = loadConfig({ METRICS_TOKEN: 'metrics-token-0123456789', METRICS_PORT: '9100', METRICS_HOST: '10.0.0.5' });
    expect(metrics).toEqual({ token: 'metrics-token-0123456789', port: 9100, host: '10.0.0.5' });
  });

  it.each([
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ METRICS_PORT: 'abc' }, 'METRICS_PORT'],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT'],
  ])('refuses %o naming %s', (env, name) => {
    expect(refusal(env)).toMatch(new RegExp(`^invalid configuration: ${name}: `));
  });
});

describe('webhooks', () => {
  it('defaults to the documented schedule (5 s … 12 h), private targets refused, 10 s timeout', () => {
    expect(loadConfig({}).webhooks).toEqual({
      retryScheduleMs: [5000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 43_200_000],
      allowPrivate: false,
      timeoutMs: 10_000,
      concurrency: 10,
    });
  });

  it('reads WEBHOOK_RETRY_SCHEDULE, WEBHOOK_ALLOW_PRIVATE, WEBHOOK_TIMEOUT_MS and WEBHOOK_CONCURRENCY', () => {
    const { webhooks } = loadConfig({ WEBHOOK_RETRY_SCHEDULE: '100ms, 2s,1m,1h,1d', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '500', WEBHOOK_CONCURRENCY: '3' });
    expect(webhooks).toEqual({ retryScheduleMs: [100, 2000, 60_000, 3_600_000, 86_400_000], allowPrivate: true, timeoutMs: 500, concurrency: 3 });
  });

  it.each([
    [{ WEBHOOK_RETRY_SCHEDULE: '5s,soon' }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ WEBHOOK_RETRY_SCHEDULE: '0s' }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ WEBHOOK_RETRY_SCHEDULE: '8d' }, 'WEBHOOK_RETRY_SCHEDULE'],
    [{ WEBHOOK_ALLOW_PRIVATE: 'yes' }, 'WEBHOOK_ALLOW_PRIVATE'],
    [{ WEBHOOK_TIMEOUT_MS: '10' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ WEBHOOK_CONCURRENCY: '0' }, 'WEBHOOK_CONCURRENCY'],
  ])('refuses %o naming %s', (env, name) => {
    expect(refusal(env)).toMatch(new RegExp(`^invalid configuration: ${name}: `));
  });
});

describe('console sessions', () => {
  it('end 12 hours after sign-in by default; CONSOLE_SESSION_MAX_HOURS sets it', () => {
    expect(loadConfig({}).consoleSessionMaxHours).toBe(12);
    expect(loadConfig({ CONSOLE_SESSION_MAX_HOURS: '2' }).consoleSessionMaxHours).toBe(2);
  });

  it.each(['0', '1.5', 'forever', '721'])('refuses CONSOLE_SESSION_MAX_HOURS=%s naming it', (value) => {
    expect(refusal({ CONSOLE_SESSION_MAX_HOURS: value })).toBe('invalid configuration: CONSOLE_SESSION_MAX_HOURS: must be a whole number from 1 to 720');
  });
});
