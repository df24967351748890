import { describe, expect, it } from 'vitest';
import { judgeRates, providerGroupOf, sendingDomainOf } from '../../src/reputation/index.ts';
import type { ReputationThresholds } from '../../src/shared/deliverability.ts';

const defaults: ReputationThresholds = { minVolume: 1000, warnComplaintRate: 0.001, pauseComplaintRate: 0.003, warnHardBounceRate: 0.02, pauseHardBounceRate: 0.05 };
const counts = (sends: number, complaints = 0, hardBounces = 0) => ({ sends, complaints, hardBounces, softBounces: 0 });

describe('the guard judges a window only past the minimum volume (judgeRates)', () => {
  it.each([
    ['below the minimum volume, any rate', counts(999, 999, 999), 'ok'],
    ['no complaints', counts(2000), 'ok'],
    ['just under warn (0.1 %)', counts(2000, 1), 'ok'],
    ['at warn (0.1 %)', counts(2000, 2), 'warn'],
    ['between warn and pause', counts(2000, 5), 'warn'],
    ['at pause (0.3 %)', counts(2000, 6), 'pause'],
    ['7 of 2,000', counts(2000, 7), 'pause'],
    ['hard bounces at warn (2 %)', counts(1000, 0, 20), 'warn'],
    ['hard bounces just under pause', counts(1000, 0, 49), 'warn'],
    ['hard bounces at pause (5 %)', counts(1000, 0, 50), 'pause'],
  ] as const)('%s → %s', (_label, window, level) => {
    expect(judgeRates([{ window: '24h', counts: window }], defaults).level).toBe(level);
  });

  it('the worst window decides, and the reason names its figures', () => {
    const judged = judgeRates([{ window: '24h', counts: counts(500, 5) }, { window: '7d', counts: counts(3000, 3, 160) }], defaults);
    expect(judged).toEqual({ level: 'pause', window: '7d', counts: counts(3000, 3, 160), reason: 'hard-bounce rate 5.333 % over 7d (160 of 3000 sends), pause at 5 %' });
  });
});

describe('recipient provider groups and the sending domain', () => {
  it.each([
    ['ann@gmail.com', 'gmail'],
    ['ann@GoogleMail.com', 'gmail'],
    ['ann@outlook.de', 'microsoft'],
    ['ann@hotmail.co.uk', 'microsoft'],
    ['ann@live.com', 'microsoft'],
    ['ann@msn.com', 'microsoft'],
    ['ann@yahoo.co.jp', 'yahoo'],
    ['ann@aol.com', 'yahoo'],
    ['ann@ymail.com', 'yahoo'],
    ['ann@icloud.com', 'apple'],
    ['ann@me.com', 'apple'],
    ['ann@mac.com', 'apple'],
    ['ann@example.com', 'other'],
    ['ann@mail.gmail.com.evil.example', 'other'],
    ['ann@outlookish.example', 'other'],
  ])('%s → %s', (address, group) => {
    expect(providerGroupOf(address)).toBe(group);
  });

  it.each([
    ['News <news@News.Example>', 'news.example'],
    ['news@shop.example', 'shop.example'],
    ['"A|B" <x@a.example>', 'a.example'],
    ['nonsense', 'nonsense'],
  ])('%s sends from %s', (from, domain) => {
    expect(sendingDomainOf(from)).toBe(domain);
  });
});
