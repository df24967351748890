import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { refusal } from '../helpers/config-refusal.ts';


describe('the reputation guard in the configuration (docs/rules.md §13)', () => {
  it("defaults to the providers' own thresholds and 1,000 sends", () => {
    expect(loadConfig({}).reputation).toEqual({ minVolume: 1000, warnComplaintRate: 0.001, pauseComplaintRate: 0.003, warnHardBounceRate: 0.02, pauseHardBounceRate: 0.05 });
  });

  it('reads a rate as a percentage or a fraction, and an empty value as the default', () => {
    const config = loadConfig({
      REPUTATION_MIN_VOLUME: '250',
      REPUTATION_WARN_COMPLAINT_RATE: '0.05%',
      REPUTATION_PAUSE_COMPLAINT_RATE: '0.002',
      REPUTATION_WARN_HARD_BOUNCE_RATE: '',
      REPUTATION_PAUSE_HARD_BOUNCE_RATE: '100%',
    });
    expect(config.reputation).toEqual({ minVolume: 250, warnComplaintRate: 0.0005, pauseComplaintRate: 0.002, warnHardBounceRate: 0.02, pauseHardBounceRate: 1 });
  });

  it.each([
    ['REPUTATION_PAUSE_COMPLAINT_RATE', '0'],
    ['REPUTATION_PAUSE_COMPLAINT_RATE', '0%'],
    ['REPUTATION_PAUSE_COMPLAINT_RATE', '101%'],
    ['REPUTATION_PAUSE_HARD_BOUNCE_RATE', '1.5'],
    ['REPUTATION_WARN_HARD_BOUNCE_RATE', '-1%'],
    ['REPUTATION_WARN_COMPLAINT_RATE', 'lots'],
    ['REPUTATION_WARN_COMPLAINT_RATE', '0.1 %%'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    const line = refusal({ [name]: value });
    expect(line).toBe(`invalid configuration: ${name}: must be a rate above 0 and at most 100 %, written 0.3% or 0.003`);
    expect(line).not.toContain('\n');
  });

  it.each(['0', '-5', '1.5', 'many'])('refuses REPUTATION_MIN_VOLUME=%s', (value) => {
    expect(refusal({ REPUTATION_MIN_VOLUME: value })).toMatch(/^invalid configuration: REPUTATION_MIN_VOLUME: must be a whole number/);
  });

  it('refuses a warn rate above its pause rate, naming the warn variable', () => {
    expect(refusal({ REPUTATION_WARN_COMPLAINT_RATE: '0.5%' })).toBe('invalid configuration: REPUTATION_WARN_COMPLAINT_RATE: must not be above REPUTATION_PAUSE_COMPLAINT_RATE');
    expect(refusal({ REPUTATION_WARN_HARD_BOUNCE_RATE: '3%', REPUTATION_PAUSE_HARD_BOUNCE_RATE: '2%' })).toBe('invalid configuration: REPUTATION_WARN_HARD_BOUNCE_RATE: must not be above REPUTATION_PAUSE_HARD_BOUNCE_RATE');
    // Equal is allowed: the pause then comes without a warning first.
    expect(loadConfig({ REPUTATION_WARN_COMPLAINT_RATE: '0.3%' }).reputation.warnComplaintRate).toBe(0.003);
  });
});
