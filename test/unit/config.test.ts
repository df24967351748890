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
    expect(config.smtpUrl).toBeUndefined();
    expect(config.apiKey).toBeUndefined();
    expect(config.dkim).toBeUndefined();
    expect(config.usingDevSecret).toBe(true);
  });

  it('reads good values', () => {
    const config = loadConfig({
      PORT: '8080',
      SMTP_URL: 'smtp://127.0.0.1:1025',
      CONSENT_MODE: 'opt-in',
      MAILGATE_SECRET: 'first-secret-0123456789, second-secret-0123456789',
      PUBLIC_URL: 'https://mail.example.com/',
    });
    expect(config.port).toBe(8080);
    expect(config.smtpUrl).toBe('smtp://127.0.0.1:1025');
    expect(config.consentMode).toBe('opt-in');
    expect(config.secrets).toEqual(['first-secret-0123456789', 'second-secret-0123456789']);
    expect(config.publicUrl).toBe('https://mail.example.com');
    expect(config.usingDevSecret).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MONGO_URL: 'http://example.com' }, 'MONGO_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ SMTP_URL: 'ftp://x' }, 'SMTP_URL'],
    [{ CONSENT_MODE: 'maybe' }, 'CONSENT_MODE'],
    [{ MAILGATE_API_KEY: 'short' }, 'MAILGATE_API_KEY'],
    [{ NODE_ENV: 'production' }, 'MAILGATE_SECRET'],
    [{ MAILGATE_SECRET: 'tiny' }, 'MAILGATE_SECRET'],
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
    expect(loadConfig({ NODE_ENV: 'production', MAILGATE_SECRET: 'production-secret-0123456789' }).secrets).toHaveLength(1);
  });
});
