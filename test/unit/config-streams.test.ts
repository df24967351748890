import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { refusal } from '../helpers/config-refusal.ts';
import { StreamRouter } from '../../src/messages/index.ts';


describe('streams in the configuration', () => {
  it('has two streams by default, each falling back to the single settings', () => {
    const config = loadConfig({ SMTP_URL: 'smtp://user:pw@relay.example:587', SMTP_POOL_SIZE: '7', MAIL_FROM: 'Shop <shop@example.com>', WORKER_CONCURRENCY: '30', SEND_RATE_LIMIT: '14', BOUNCE_DOMAIN: 'Bounces.Example.com', MAILGATE_SECRET: 'a-real-secret-0123456789' });
    expect(config.streams.map((s) => s.name)).toEqual(['transactional', 'marketing']);
    const [transactional, marketing] = config.streams;
    expect(transactional).toEqual({
      name: 'transactional',
      kinds: ['transactional', 'one_to_one'],
      types: [],
      smtpUrl: 'smtp://user:pw@relay.example:587',
      smtpPoolSize: 7,
      smtpFallbackUrl: undefined,
      failover: { after: 3, coolOffMs: 300_000 },
      mailFrom: 'Shop <shop@example.com>',
      dkim: undefined,
      bounceDomain: 'bounces.example.com',
      concurrency: 30,
      rate: { perSecond: 14, perMinute: 0, perDay: 0 },
    });
    expect(marketing).toMatchObject({ name: 'marketing', kinds: ['marketing'], smtpUrl: 'smtp://user:pw@relay.example:587', rate: { perSecond: 14, perMinute: 0, perDay: 0 } });
  });

  it('reads each stream’s own relay, identity and pace, falling back per setting', () => {
    const config = loadConfig({
      STREAMS: 'transactional,marketing,digest',
      DKIM_DOMAIN: 'example.com',
      DKIM_SELECTOR: 's1',
      DKIM_PRIVATE_KEY: '/etc/dkim.pem',
      STREAM_MARKETING_SMTP_URL: 'smtp://news:pw@broadcast.example:2525',
      STREAM_MARKETING_SMTP_FALLBACK_URL: 'smtps://backup.example',
      STREAM_MARKETING_FAILOVER_AFTER: '5',
      STREAM_MARKETING_FAILOVER_COOL_OFF_SECONDS: '60',
      STREAM_MARKETING_MAIL_FROM: 'News <news@news.example.com>',
      STREAM_MARKETING_DKIM_DOMAIN: 'news.example.com',
      STREAM_MARKETING_BOUNCE_DOMAIN: 'bounces.news.example.com',
      STREAM_MARKETING_CONCURRENCY: '10',
      STREAM_MARKETING_RATE_PER_SECOND: '14',
      STREAM_MARKETING_RATE_PER_DAY: '50000',
      STREAM_DIGEST_TYPES: 'newsletter, product-updates',
      STREAM_DIGEST_RATE_PER_MINUTE: '600',
      MAILGATE_SECRET: 'a-real-secret-0123456789',
    });
    const [transactional, marketing, digest] = config.streams;
    expect(transactional!.dkim).toEqual({ domain: 'example.com', selector: 's1', privateKey: '/etc/dkim.pem' });
    expect(marketing).toMatchObject({
      smtpUrl: 'smtp://news:pw@broadcast.example:2525',
      smtpFallbackUrl: 'smtps://backup.example',
      failover: { after: 5, coolOffMs: 60_000 },
      mailFrom: 'News <news@news.example.com>',
      dkim: { domain: 'news.example.com', selector: 's1', privateKey: '/etc/dkim.pem' },
      bounceDomain: 'bounces.news.example.com',
      concurrency: 10,
      rate: { perSecond: 14, perMinute: 0, perDay: 50000 },
    });
    expect(digest).toMatchObject({ kinds: [], types: ['newsletter', 'product-updates'], mailFrom: 'mailgate@localhost', concurrency: 50, rate: { perSecond: 0, perMinute: 600, perDay: 0 } });
  });

  it.each([
    [{ STREAMS: 'transactional,marketing,bulk', STREAM_BULK_KINDS: 'newsletter' }, 'invalid configuration: STREAM_BULK_KINDS: unknown kind "newsletter"; the kinds are marketing, transactional, one_to_one'],
    [{ STREAMS: 'transactional,marketing,bulk', STREAM_BULK_KINDS: 'marketing' }, 'invalid configuration: STREAM_BULK_KINDS: kind "marketing" is already claimed by stream "marketing"'],
    [{ STREAMS: 'transactional,marketing,a,b', STREAM_A_TYPES: 'newsletter', STREAM_B_TYPES: 'events,newsletter' }, 'invalid configuration: STREAM_B_TYPES: subscription type "newsletter" is already claimed by stream "a"'],
    [{ STREAMS: 'transactional,marketing', STREAM_TRANSACTIONAL_KINDS: 'transactional' }, 'invalid configuration: STREAMS: no stream claims kind "one_to_one"; add it to one stream\'s STREAM_<NAME>_KINDS'],
    [{ STREAMS: 'main' }, 'invalid configuration: STREAMS: no stream claims kind "marketing"; add it to one stream\'s STREAM_<NAME>_KINDS'],
    [{ STREAM_MARKETING_SMTP_URL: 'relay.example:587' }, 'invalid configuration: STREAM_MARKETING_SMTP_URL: must be a URL starting with smtp:// or smtps://'],
    [{ STREAM_MARKETING_SMTP_URL: 'smtp://relay.example', STREAM_MARKETING_SMTP_FALLBACK_URL: 'http://backup.example' }, 'invalid configuration: STREAM_MARKETING_SMTP_FALLBACK_URL: must be a URL starting with smtp:// or smtps://'],
    [{ STREAM_MARKETING_SMTP_FALLBACK_URL: 'smtp://backup.example' }, 'invalid configuration: STREAM_MARKETING_SMTP_FALLBACK_URL: needs a primary relay (STREAM_MARKETING_SMTP_URL or SMTP_URL)'],
    [{ STREAM_MARKETING_FAILOVER_COOL_OFF_SECONDS: '0' }, 'invalid configuration: STREAM_MARKETING_FAILOVER_COOL_OFF_SECONDS: must be a whole number from 1 to 86400'],
    [{ STREAMS: 'transactional,Marketing' }, 'invalid configuration: STREAMS: "Marketing" is not a stream name (a-z first, then a-z, 0-9, _; at most 32 characters)'],
    [{ STREAMS: 'transactional,marketing,transactional' }, 'invalid configuration: STREAMS: names stream "transactional" twice'],
    [{ STREAM_MARKETNG_SMTP_URL: 'smtp://relay.example' }, 'invalid configuration: STREAM_MARKETNG_SMTP_URL: names no stream in STREAMS (transactional, marketing)'],
    [{ STREAM_MARKETING_RATE_PER_SECOND: '-1' }, 'invalid configuration: STREAM_MARKETING_RATE_PER_SECOND: must be a whole number from 0 to 1000000'],
    [{ STREAM_MARKETING_BOUNCE_DOMAIN: 'not a domain' }, 'invalid configuration: STREAM_MARKETING_BOUNCE_DOMAIN: must be a domain name such as bounces.example.com'],
    [{ STREAM_MARKETING_DKIM_DOMAIN: 'news.example.com' }, 'invalid configuration: STREAM_MARKETING_DKIM_SELECTOR: required when any DKIM setting of the stream (or DKIM_*) is set'],
  ])('refuses %o with one line', (env, message) => {
    expect(refusal(env)).toBe(message);
  });
});

describe('routing a message to its stream', () => {
  const router = new StreamRouter(
    loadConfig({ STREAMS: 'transactional,marketing,digest,personal', STREAM_DIGEST_TYPES: 'newsletter', STREAM_TRANSACTIONAL_KINDS: 'transactional', STREAM_PERSONAL_KINDS: 'one_to_one' }).streams,
  );
  it.each([
    [{ kind: 'transactional' as const }, 'transactional'],
    [{ kind: 'one_to_one' as const }, 'personal'],
    [{ kind: 'marketing' as const, subscriptionType: 'events' }, 'marketing'],
    // A type a stream claims wins over kind routing.
    [{ kind: 'marketing' as const, subscriptionType: 'newsletter' }, 'digest'],
    // Types route marketing only.
    [{ kind: 'transactional' as const, subscriptionType: 'newsletter' }, 'transactional'],
  ])('%o → %s', (message, stream) => {
    expect(router.route(message)).toBe(stream);
  });

  it('keeps a stored record’s stream, and routes a record without one (or of a removed stream) as new', () => {
    expect(router.streamOf({ kind: 'marketing', subscriptionType: 'newsletter', stream: 'marketing' })).toBe('marketing');
    expect(router.streamOf({ kind: 'marketing', subscriptionType: 'newsletter' })).toBe('digest');
    expect(router.streamOf({ kind: 'one_to_one', stream: 'gone' })).toBe('personal');
  });
});
