import { html } from '../../http/html.ts';
import type { Locale } from '../../shared/locale.ts';
import { consolePage, scrollTable, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS } from '../console-texts.ts';
import { counterText, labelWord } from './counter-words.ts';

/** One stream as it stands: queue depth, relay (no credentials), limits, and whether it is held back now. */
export interface StreamActivity {
  name: string;
  relay: string;
  queue: Record<string, number>;
  /** Per second, minute and day; 0 = unlimited. */
  limits: { perSecond: number; perMinute: number; perDay: number };
  /** Sending through its fallback relay because the primary is unreachable (relay failover). */
  failedOver: boolean;
  /** The relay's back-off in force: until when (ISO). */
  throttledUntil: string | undefined;
  /** Counted windows that are full now, and when each frees (ISO). */
  full: { window: string; freesAt: string }[];
}

export interface ActivityData {
  streams: StreamActivity[];
  /** Outcomes recorded in the last hour by status, from the database (every worker counts). */
  lastHour: Record<string, number>;
  /** The latest bounces and complaints relays reported. */
  bounces: { id: string; type: string; at: string; detail: string }[];
  /** Counter values by label set, e.g. `{outcome: 'sent', kind: 'marketing', reason: ''}`. */
  outcomes: { labels: Record<string, string | number>; value: number }[];
  feedback: { labels: Record<string, string | number>; value: number }[];
  failures: { id: string; reason: string; at: string }[];
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

const limitsText = (limits: StreamActivity['limits'], unlimited: string): string =>
  [limits.perSecond > 0 ? `${limits.perSecond}/s` : '', limits.perMinute > 0 ? `${limits.perMinute}/min` : '', limits.perDay > 0 ? `${limits.perDay}/day` : ''].filter(Boolean).join(' · ') || unlimited;


export function renderActivityPage(o: { locale: Locale; viewer: ConsoleViewer; data: ActivityData }): string {
  const t = CONSOLE_TEXTS[o.locale];
  const counters = (rows: ActivityData['outcomes']) =>
    rows.length === 0
      ? html`<p>—</p>`
      : html`<table><thead><tr><th scope="col">${t.outcome}</th><th scope="col">${t.count}</th></tr></thead><tbody>${rows.map((r) => html`<tr><td>${counterText(t.counters, r.labels)}</td><td>${r.value}</td></tr>`)}</tbody></table>`;
  const paceNow = (s: StreamActivity) =>
    s.throttledUntil !== undefined ? `${t.throttledUntil} ${s.throttledUntil}` : s.full.map((f) => `${t.limitReachedUntil(f.window)} ${f.freesAt}`).join('; ') || t.sending;
  const streamNow = (s: StreamActivity) => (s.failedOver ? `${t.failedOver}; ${paceNow(s)}` : paceNow(s));
  const body = html`<h1>${t.activityTitle}</h1>
<section class="card" aria-labelledby="h-queue"><h2 id="h-queue">${t.queueHeading}</h2>
${scrollTable('h-queue', html`<table><thead><tr><th scope="col">${t.stream}</th><th scope="col">${t.relay}</th>${QUEUE_STATES.map((state) => html`<th scope="col">${t.counters.queueStates[state]}</th>`)}<th scope="col">${t.limits}</th><th scope="col">${t.streamNow}</th></tr></thead><tbody>${o.data.streams.map(
    (s) =>
      html`<tr><th scope="row">${s.name}</th><td>${s.relay}</td>${QUEUE_STATES.map((state) => html`<td>${s.queue[state] ?? 0}</td>`)}<td>${limitsText(s.limits, t.unlimited)}</td><td>${streamNow(s)}</td></tr>`,
  )}</tbody></table>`)}</section>
<div class="grid">
<section class="card" aria-labelledby="h-hour"><h2 id="h-hour">${t.lastHourHeading}</h2>
<table><thead><tr><th scope="col">${t.outcome}</th><th scope="col">${t.count}</th></tr></thead><tbody>${['sent', 'suppressed', 'failed'].map(
    (status) => html`<tr><td>${labelWord(t.counters, 'outcome', status)}</td><td>${o.data.lastHour[status] ?? 0}</td></tr>`,
  )}</tbody></table></section>
<section class="card" aria-labelledby="h-outcomes"><h2 id="h-outcomes">${t.outcomesHeading}</h2><p class="hint">${t.outcomesNote}</p>${counters(o.data.outcomes)}</section>
<section class="card" aria-labelledby="h-feedback"><h2 id="h-feedback">${t.feedbackHeading}</h2><p class="hint">${t.outcomesNote}</p>${counters(o.data.feedback)}</section>
</div>
<section class="card" aria-labelledby="h-bounces"><h2 id="h-bounces">${t.bouncesHeading}</h2>${
    o.data.bounces.length === 0
      ? html`<p>${t.noBounces}</p>`
      : scrollTable('h-bounces', html`<table><thead><tr><th scope="col">${t.at}</th><th scope="col">${t.message}</th><th scope="col">${t.outcome}</th><th scope="col">${t.reason}</th></tr></thead><tbody>${o.data.bounces.map(
          (b) => html`<tr><td>${b.at}</td><td>${b.id}</td><td>${labelWord(t.counters, 'type', b.type)}</td><td>${b.detail}</td></tr>`,
        )}</tbody></table>`)
  }</section>
<section class="card" aria-labelledby="h-failures"><h2 id="h-failures">${t.failuresHeading}</h2>${
    o.data.failures.length === 0
      ? html`<p>${t.noFailures}</p>`
      : scrollTable('h-failures', html`<table><thead><tr><th scope="col">${t.at}</th><th scope="col">${t.message}</th><th scope="col">${t.reason}</th></tr></thead><tbody>${o.data.failures.map(
          (f) => html`<tr><td>${f.at}</td><td>${f.id}</td><td>${f.reason}</td></tr>`,
        )}</tbody></table>`)
  }</section>`;
  return consolePage({ locale: o.locale, title: t.activityTitle, viewer: o.viewer, current: 'activity', body });
}
