import { describe, expect, it } from 'vitest';
import { renderDeliverabilityPage } from '../../src/console/pages/deliverability-page.ts';
import type { DeliverabilityReport } from '../../src/shared/deliverability.ts';
import type { Locale } from '../../src/shared/locale.ts';
import { DEFAULT_THRESHOLDS, sampleStream } from '../helpers/sample-deliverability.ts';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const viewer = { email: 'ann@example.com', role: 'marketer' as const, csrf: 'token-1' };
const ZERO = { sends: 0, hardBounces: 0, softBounces: 0, complaints: 0 };

const render = (report: DeliverabilityReport, locale: Locale = 'en', extra: Partial<Parameters<typeof renderDeliverabilityPage>[0]> = {}) => renderDeliverabilityPage({ locale, viewer, report, ...extra });
const reportOf = (...streams: DeliverabilityReport['streams']): DeliverabilityReport => ({ generatedAt: NOW.toISOString(), thresholds: DEFAULT_THRESHOLDS, streams });

const pausedByOperator = sampleStream('news letter', NOW, {
  last24h: { sends: 2000, hardBounces: 30, softBounces: 12, complaints: 7 },
  guard: { state: 'paused', pausedAt: NOW.toISOString(), pausedBy: 'operator', reason: '<b>list</b> check' },
  history: [
    // newest first, as the guard reports it
    { at: NOW.toISOString(), action: 'paused', actor: 'console:<img src=x>@example.com', explanation: '<script>alert(1)</script>', window: '7d', counts: { sends: 8000, hardBounces: 120, softBounces: 48, complaints: 28 } },
    { at: '2026-12-05T11:00:00.000Z', action: 'resumed', actor: 'console:old@example.com', explanation: 'fixed' },
    { at: '2026-12-05T10:00:00.000Z', action: 'paused', actor: 'console:old@example.com', explanation: 'earlier' },
  ],
  topTemplates: [{ template: '<i>digest</i>', subscriptionType: 'newsletter', sends: 100, complaints: 2 }],
});

describe('the deliverability page (rendered)', () => {
  it('puts a paused stream in an alert at the top with the newest pause’s window, figures and actor, all escaped', () => {
    const page = render(reportOf(pausedByOperator));
    const alert = page.slice(page.indexOf('role="alert"'), page.indexOf('</section>', page.indexOf('role="alert"')));
    expect(alert).toContain('Marketing on stream news letter is paused since 2026-12-06 12:00:00 UTC, by console:&lt;img src=x&gt;@example.com.');
    expect(alert).toContain('Last 7 days: 28 complaints in 8,000 sends (0.35%), 120 hard bounces (1.50%).');
    expect(alert).toContain('&lt;i&gt;digest&lt;/i&gt; (subscription type newsletter): 2 complaints in 100 sends (2.00%)');
    expect(page.indexOf('role="alert"')).toBeLessThan(page.indexOf('Bounces and complaints per stream'));
    expect(page).not.toMatch(/<script|<img|<i>|<b>/);
    // the form of a paused stream resumes it, at the stream's URL-encoded path
    expect(page).toContain('action="/console/deliverability/news%20letter/resume"');
    expect(page).not.toContain('/pause"');
  });

  it('uses no script and no style attribute anywhere (the console’s CSP allows neither)', () => {
    const page = render(reportOf(pausedByOperator, sampleStream('transactional', NOW, { last24h: ZERO })));
    expect(page).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(page.match(/<svg [^>]*role="img"/g)).toHaveLength(4);
  });

  it('shows a stream without sends as gaps and dashes, never as 0 %', () => {
    const quiet = sampleStream('quiet', NOW, { last24h: ZERO });
    quiet.daily = quiet.daily.map((d) => ({ ...d, counts: ZERO }));
    const page = render(reportOf(quiet));
    expect(page).not.toContain('<polyline');
    expect(page).toContain('<td>0</td><td>0</td><td>—</td>');
    expect(page).toContain('no sends');
    expect(page).toContain('No complaints in the last 7 days.');
    expect(page).toContain('Nothing has happened yet.');
    expect(page).toContain('action="/console/deliverability/quiet/pause"');
    expect(page).not.toContain('role="alert"');
  });

  it('gives a warned stream a softer notice (status, not alert)', () => {
    const page = render(reportOf(sampleStream('marketing', NOW, { last24h: { sends: 2000, hardBounces: 50, softBounces: 0, complaints: 2 }, guard: { state: 'warn' } })));
    expect(page).toMatch(/<div class="banner banner-warn" role="status"><p>Stream marketing: complaint or bounce rates have reached the warning level/);
    expect(page).not.toContain('role="alert"');
  });

  it('refills the refused form and names the refusal; German figures use German numbers', () => {
    // Intl puts a no-break space before German percent signs
    const page = render(reportOf(pausedByOperator), 'de', { error: { stream: 'news letter', message: 'An explanation is required', explanation: '  ' } }).replace(/\u00a0/g, ' ');
    expect(page).toContain('aria-invalid="true"');
    expect(page).toContain('An explanation is required');
    expect(page).toContain('Letzte 7 Tage: 28 Beschwerden bei 8.000 Sendungen (0,35 %), 120 Hard Bounces (1,50 %).');
    expect(page).toContain('Begründung (Pflichtfeld)');
  });

  it('confirms what was done only for a stream the report has (a crafted link names no other)', () => {
    const report = reportOf(sampleStream('marketing', NOW, { last24h: ZERO }));
    expect(render(report, 'en', { done: { action: 'resumed', stream: 'marketing' } })).toContain('Marketing on stream marketing resumed');
    expect(render(report, 'en', { done: { action: 'resumed', stream: 'everything is fine' } })).not.toContain('role="status"');
  });

  it('draws the thresholds the report carries, labelled', () => {
    const page = render({ ...reportOf(sampleStream('marketing', NOW, { last24h: ZERO })), thresholds: { ...DEFAULT_THRESHOLDS, pauseComplaintRate: 0.005 } });
    expect(page).toContain('>pause 0.50%</text>');
    expect(page).toContain('>warn 0.10%</text>');
    expect(page).toContain('>pause 5.00%</text>');
    expect(page).toContain('>warn 2.00%</text>');
  });
});
