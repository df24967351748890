import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { refusal } from '../helpers/config-refusal.ts';


const DAY = 86_400_000;

describe('frequency caps in the configuration (docs/rules.md §13)', () => {
  it('has no cap by default, and none when the variables are empty', () => {
    expect(loadConfig({}).frequencyCap).toBeUndefined();
    expect(loadConfig({ FREQUENCY_CAP: '', FREQUENCY_CAP_TYPES: '', FREQUENCY_CAP_ACTION: '' }).frequencyCap).toBeUndefined();
    // An action alone caps nothing.
    expect(loadConfig({ FREQUENCY_CAP_ACTION: 'defer' }).frequencyCap).toBeUndefined();
  });

  it('reads N/window in seconds, minutes, hours and days; suppress by default', () => {
    expect(loadConfig({ FREQUENCY_CAP: '3/7d' }).frequencyCap).toEqual({ overall: { limit: 3, windowMs: 7 * DAY }, types: new Map(), action: 'suppress' });
    expect(loadConfig({ FREQUENCY_CAP: ' 1/3s ' }).frequencyCap?.overall).toEqual({ limit: 1, windowMs: 3000 });
    expect(loadConfig({ FREQUENCY_CAP: '10/90m' }).frequencyCap?.overall).toEqual({ limit: 10, windowMs: 90 * 60_000 });
    expect(loadConfig({ FREQUENCY_CAP: '2/12h' }).frequencyCap?.overall).toEqual({ limit: 2, windowMs: 12 * 3_600_000 });
    expect(loadConfig({ FREQUENCY_CAP: '10000/366d' }).frequencyCap?.overall).toEqual({ limit: 10_000, windowMs: 366 * DAY });
  });

  it('reads per-type caps, with or without an overall cap, and the action', () => {
    const config = loadConfig({ FREQUENCY_CAP_TYPES: 'newsletter=1/1d, promotions = 2/7d', FREQUENCY_CAP_ACTION: 'defer' });
    expect(config.frequencyCap?.overall).toBeUndefined();
    expect([...(config.frequencyCap?.types ?? [])]).toEqual([
      ['newsletter', { limit: 1, windowMs: DAY }],
      ['promotions', { limit: 2, windowMs: 7 * DAY }],
    ]);
    expect(config.frequencyCap?.action).toBe('defer');
  });

  it.each([
    ['0/7d', 'a cap of 0'],
    ['3/0d', 'a window of 0'],
    ['3', 'no window'],
    ['3/7', 'no unit'],
    ['3/7w', 'an unknown unit'],
    ['-1/7d', 'a negative cap'],
    ['1.5/7d', 'a fraction'],
    ['3/7d,4/1d', 'two caps'],
    ['10001/7d', 'a cap over 10000'],
    ['3/367d', 'a window over 366 days'],
    ['3/7d\nX', 'a line break'],
  ])('refuses FREQUENCY_CAP=%j (%s) with one line naming the variable', (value) => {
    const message = refusal({ FREQUENCY_CAP: value });
    expect(message).toMatch(/^invalid configuration: FREQUENCY_CAP: must be N\/window such as 3\/7d/);
    expect(message).not.toContain('\n');
  });

  it.each([
    ['newsletter', 'must be type=N/window pairs'],
    ['=1/1d', 'must be type=N/window pairs'],
    ['news letter=1/1d', 'must be type=N/window pairs'],
    ['Newsletter=1/1d', 'must be type=N/window pairs'],
    ['newsletter=0/1d', 'must be N/window such as 3/7d'],
    ['newsletter=1/0s', 'must be N/window such as 3/7d'],
    ['newsletter=1/1d,newsletter=2/7d', 'names type "newsletter" twice'],
  ])('refuses FREQUENCY_CAP_TYPES=%j with one line naming the variable', (value, says) => {
    const message = refusal({ FREQUENCY_CAP_TYPES: value });
    expect(message.startsWith('invalid configuration: FREQUENCY_CAP_TYPES: ')).toBe(true);
    expect(message).toContain(says);
  });

  it('refuses an action other than suppress or defer', () => {
    expect(refusal({ FREQUENCY_CAP: '3/7d', FREQUENCY_CAP_ACTION: 'drop' })).toBe('invalid configuration: FREQUENCY_CAP_ACTION: must be suppress or defer');
    expect(refusal({ FREQUENCY_CAP_ACTION: 'Suppress' })).toBe('invalid configuration: FREQUENCY_CAP_ACTION: must be suppress or defer');
  });
});
