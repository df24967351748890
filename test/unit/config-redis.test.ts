import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { refusal } from '../helpers/config-refusal.ts';

describe('where Redis is, in the configuration (docs/rules.md §15)', () => {
  it('is the one server at REDIS_URL by default', () => {
    expect(loadConfig({ REDIS_URL: 'redis://10.0.0.5:6380/2' }).redis).toEqual({ kind: 'server', url: 'redis://10.0.0.5:6380/2' });
  });

  it('is the primary the sentinels name, with the URL’s database and the passwords', () => {
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/3', REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b.internal:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'mymaster', REDIS_PASSWORD: 'pw', REDIS_SENTINEL_PASSWORD: 'spw' });
    expect(config.redis).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-b.internal', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      name: 'mymaster',
      db: 3,
      password: 'pw',
      sentinelPassword: 'spw',
    });
  });

  it('refuses a bad list or a missing name in one line naming the variable', () => {
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1' })).toMatch(/^invalid configuration: REDIS_SENTINELS: "10\.0\.0\.1" is not host:port/);
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1:0' })).toMatch(/^invalid configuration: REDIS_SENTINELS: /);
    expect(refusal({ REDIS_SENTINELS: 'a b:26379' })).toMatch(/^invalid configuration: REDIS_SENTINELS: /);
    expect(refusal({ REDIS_SENTINELS: Array.from({ length: 17 }, (_, i) => `h${i}:26379`).join(',') })).toMatch(/^invalid configuration: REDIS_SENTINELS: names at most 16/);
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1:26379' })).toMatch(/^invalid configuration: REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS/);
    expect(refusal({ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'bad name' })).toMatch(/^invalid configuration: REDIS_SENTINEL_NAME: /);
    expect(refusal({ REDIS_SENTINEL_NAME: 'mymaster' })).toBe('invalid configuration: REDIS_SENTINEL_NAME: is set without REDIS_SENTINELS');
    for (const line of [refusal({ REDIS_SENTINELS: 'x' }), refusal({ REDIS_SENTINEL_NAME: 'm' })]) expect(line).not.toContain('\n');
  });
});
