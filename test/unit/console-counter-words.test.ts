import { describe, expect, it } from 'vitest';
import { CONSOLE_TEXTS } from '../../src/console/console-texts.ts';
import { counterText, labelWord } from '../../src/console/pages/counter-words.ts';
import { FEEDBACK_PROVIDERS, FEEDBACK_TYPES } from '../../src/feedback/feedback-event.ts';
import { SUPPRESS_REASONS } from '../../src/shared/decision-rules.ts';
import { LOCALES } from '../../src/shared/locale.ts';

/**
 * Every reason a message record can carry as failed, as the code writes it: delivery/send-message.ts
 * (`unknown_template` and the renderer's `render_failed`, `smtp_rejected`, `hard_bounce`,
 * `retries_exhausted`), messages/reconcile-messages.ts (`retries_exhausted`), and the frequency cap's
 * suppression reason (#23).
 */
const FAILURE_REASONS = ['render_failed', 'unknown_template', 'retries_exhausted', 'hard_bounce', 'smtp_rejected', 'frequency_capped'];
const KINDS = ['marketing', 'transactional', 'one_to_one'];
const OUTCOMES = ['sent', 'suppressed', 'failed'];

describe('activity counters in words', () => {
  it('reads a failed marketing render as an operator would say it, in English and German', () => {
    const labels = { kind: 'marketing', outcome: 'failed', reason: 'render_failed' };
    expect(counterText(CONSOLE_TEXTS.en.counters, labels)).toBe('Marketing · failed · could not be rendered');
    expect(counterText(CONSOLE_TEXTS.de.counters, labels)).toBe('Marketing · fehlgeschlagen · konnte nicht erzeugt werden');
  });

  it('leaves out an empty reason (a sent message) and orders the words kind, outcome, reason whatever the label order', () => {
    expect(counterText(CONSOLE_TEXTS.en.counters, { outcome: 'sent', reason: '', kind: 'transactional' })).toBe('Transactional · sent');
    expect(counterText(CONSOLE_TEXTS.en.counters, { reason: 'complaint', outcome: 'suppressed', kind: 'marketing' })).toBe('Marketing · not sent · recipient complained (marked as spam)');
  });

  it('names a feedback counter by its relay and event type', () => {
    expect(counterText(CONSOLE_TEXTS.en.counters, { provider: 'ses', type: 'hard_bounce' })).toBe('Amazon SES · hard bounce');
    expect(counterText(CONSOLE_TEXTS.de.counters, { type: 'complaint', provider: 'arf' })).toBe('Beschwerde-Mail (ARF) · Beschwerde (Spam-Meldung)');
  });

  for (const locale of LOCALES) {
    it(`has words (${locale}) for every kind, outcome, suppression reason, failure reason, feedback type and relay`, () => {
      const c = CONSOLE_TEXTS[locale].counters;
      const missing = [
        ...KINDS.filter((v) => !c.kinds[v]).map((v) => `kind ${v}`),
        ...OUTCOMES.filter((v) => !c.outcomes[v]).map((v) => `outcome ${v}`),
        ...[...SUPPRESS_REASONS, ...FAILURE_REASONS].filter((v) => !c.reasons[v]).map((v) => `reason ${v}`),
        ...FEEDBACK_TYPES.filter((v) => !c.feedbackTypes[v]).map((v) => `type ${v}`),
        ...FEEDBACK_PROVIDERS.filter((v) => !c.providers[v]).map((v) => `provider ${v}`),
      ];
      expect(missing).toEqual([]);
      // words, not the raw value: no underscores, no `label=value`
      const all = [...Object.values(c.kinds), ...Object.values(c.outcomes), ...Object.values(c.reasons), ...Object.values(c.feedbackTypes), ...Object.values(c.providers)];
      expect(all.filter((w) => /[_=]/.test(w))).toEqual([]);
    });
  }

  it('still shows a label value it has no words for readably, never as label=value', () => {
    const text = counterText(CONSOLE_TEXTS.en.counters, { kind: 'marketing', outcome: 'failed', reason: 'dns_timeout', shard: 'eu_west' });
    expect(text).toBe('Marketing · failed · reason: dns timeout · shard: eu west');
    expect(labelWord(CONSOLE_TEXTS.de.counters, 'type', 'brand_new')).toBe('brand new');
    expect(labelWord(CONSOLE_TEXTS.de.counters, 'outcome', 'suppressed')).toBe('nicht gesendet');
  });

  it('does not take a value named like an object property for words (toString, constructor)', () => {
    expect(counterText(CONSOLE_TEXTS.en.counters, { reason: 'constructor' })).toBe('reason: constructor');
  });
});
