import { describe, expect, it } from 'vitest';
import { UNLIMITED_PER_SECOND, countedWindowsOf, queueLimiterOf, relayOf } from '../../src/delivery/index.ts';
import { streamsFromArgs } from '../../src/shared/roles.ts';

describe('a stream’s limits: BullMQ takes the tightest window, Redis counts the others', () => {
  it.each([
    [{ perSecond: 14, perMinute: 0, perDay: 50_000 }, { max: 14, duration: 1000 }, [{ window: 'day', max: 50_000 }]],
    [{ perSecond: 40, perMinute: 1000, perDay: 0 }, { max: 40, duration: 1000 }, [{ window: 'minute', max: 1000 }]],
    [{ perSecond: 0, perMinute: 600, perDay: 10_000 }, { max: 600, duration: 60_000 }, [{ window: 'day', max: 10_000 }]],
    // Unlimited: a limiter that never binds, so a throttling reply still pauses every worker.
    [{ perSecond: 0, perMinute: 0, perDay: 0 }, { max: UNLIMITED_PER_SECOND, duration: 1000 }, []],
  ])('%o → limiter %o, counted %o', (rate, limiter, counted) => {
    expect(queueLimiterOf(rate)).toEqual(limiter);
    expect(countedWindowsOf(rate)).toEqual(counted);
  });
});

describe('the relay as outcomes and the console name it', () => {
  it.each([
    ['smtp://user:secret@relay.example:587', 'smtp://relay.example:587'],
    ['smtps://apikey:SG.xyz@smtp.sendgrid.net:465?pool=true', 'smtps://smtp.sendgrid.net:465'],
    ['smtp://127.0.0.1:2525/', 'smtp://127.0.0.1:2525'],
    ['smtp://relay.example', 'smtp://relay.example'],
  ])('%s → %s', (url, relay) => {
    expect(relayOf(url)).toBe(relay);
  });
});

describe('--stream on a worker’s command line', () => {
  it.each<[string[], string[] | undefined]>([
    [[], undefined],
    [['--stream', 'marketing'], ['marketing']],
    [['--stream', 'marketing', '--stream', 'bulk'], ['marketing', 'bulk']],
    [['--stream=a,b', '--stream', 'b'], ['a', 'b']],
    [['--other'], undefined],
  ])('%o → %o', (argv, streams) => {
    expect(streamsFromArgs(argv)).toEqual(streams);
  });

  it('refuses --stream without a name', () => {
    expect(() => streamsFromArgs(['--stream'])).toThrow('--stream needs a stream name, e.g. --stream marketing');
    expect(() => streamsFromArgs(['--stream='])).toThrow('--stream needs a stream name');
  });
});
