import { html, type SafeHtml } from '../../http/html.ts';
import { PROVIDER_GROUPS, REPUTATION_WINDOWS, type DeliverabilityReport, type GuardHistoryEntry, type ReputationCounts, type StreamReputation } from '../../shared/deliverability.ts';
import type { Locale } from '../../shared/locale.ts';
import { banner, consolePage, scrollTable, type ConsoleViewer } from '../console-layout.ts';
import { CONSOLE_TEXTS } from '../console-texts.ts';
import type { DeliverabilityTexts } from '../console-texts-shape.ts';
import { rateChart } from './deliverability-chart.ts';

export const DELIVERABILITY_PATH = '/console/deliverability';
/** The longest explanation the form takes (the textarea's maxlength; the route refuses longer). */
export const MAX_EXPLANATION = 2000;
export const streamPath = (stream: string): string => `${DELIVERABILITY_PATH}/${encodeURIComponent(stream)}`;

export interface DeliverabilityPageData {
  locale: Locale;
  viewer: ConsoleViewer;
  report: DeliverabilityReport;
  /** What was just done, to which stream (shown only for a stream the report has). */
  done?: { action: 'paused' | 'resumed'; stream: string };
  /** A refusal to show (the guard's message), and the form it came from, refilled. */
  error?: { stream: string; message: string; explanation: string };
}

/** Numbers and rates in the page's language; a rate of no sends is "—", never 0 %. */
function formats(locale: Locale) {
  const number = new Intl.NumberFormat(locale);
  const pct = new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const percent = (rate: number) => pct.format(rate);
  const rate = (part: number, sends: number) => (sends > 0 ? percent(part / sends) : '—');
  return { count: (n: number) => number.format(n), percent, rate };
}
type Formats = ReturnType<typeof formats>;

const when = (iso: string | undefined): string => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '');
const anchor = (stream: string, part: string) => `${part}-${stream.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** The newest `paused` entry: the figures and window that decided the pause. */
const lastPause = (s: StreamReputation): GuardHistoryEntry | undefined => s.history.find((e) => e.action === 'paused');
/** Who paused: the guard, or the operator its history entry names. */
const pausedBy = (d: DeliverabilityTexts, s: StreamReputation): string => (s.guard.pausedBy === 'guard' ? d.theGuard : (lastPause(s)?.actor ?? d.theGuard));

function pausedBanner(d: DeliverabilityTexts, f: Formats, s: StreamReputation): SafeHtml {
  const entry = lastPause(s);
  const lines: string[] = [d.pausedBanner(s.name, when(s.guard.pausedAt ?? entry?.at), pausedBy(d, s))];
  const counts = entry?.counts;
  if (counts) {
    const window = d.windows[entry.window ?? '24h'];
    lines.push(d.pausedFigures({ window, sends: f.count(counts.sends), complaints: f.count(counts.complaints), complaintRate: f.rate(counts.complaints, counts.sends), hardBounces: f.count(counts.hardBounces), hardBounceRate: f.rate(counts.hardBounces, counts.sends) }));
  }
  const why = s.guard.reason ?? entry?.explanation;
  if (why) lines.push(`${d.reasonLabel}: ${why}`);
  const templates = s.topTemplates.filter((tpl) => tpl.complaints > 0);
  return html`<section class="banner banner-error" role="alert" aria-labelledby="${anchor(s.name, 'paused')}"><h2 id="${anchor(s.name, 'paused')}" class="banner-title">${d.states.paused}: ${s.name}</h2>
${lines.map((line) => html`<p>${line}</p>`)}
${templates.length > 0 ? html`<p>${d.complaintsFrom}</p><ul>${templates.map((tpl) => html`<li>${templateLine(d, f, tpl)}</li>`)}</ul>` : ''}</section>`;
}

const templateLine = (d: DeliverabilityTexts, f: Formats, tpl: StreamReputation['topTemplates'][number]): string =>
  d.templateLine({ template: tpl.template, ...(tpl.subscriptionType ? { type: tpl.subscriptionType } : {}), complaints: f.count(tpl.complaints), sends: f.count(tpl.sends), rate: f.rate(tpl.complaints, tpl.sends) });

function countCells(f: Formats, c: ReputationCounts): SafeHtml {
  return html`<td>${f.count(c.sends)}</td><td>${f.count(c.hardBounces)}</td><td>${f.rate(c.hardBounces, c.sends)}</td><td>${f.count(c.softBounces)}</td><td>${f.count(c.complaints)}</td><td>${f.rate(c.complaints, c.sends)}</td>`;
}

/** Every provider group (and all of them) × every window, one row each. */
function figuresTable(d: DeliverabilityTexts, f: Formats, s: StreamReputation): SafeHtml {
  const groups = [{ name: d.providers.all, windows: s.windows }, ...PROVIDER_GROUPS.map((g) => ({ name: d.providers[g], windows: s.byProvider[g] }))];
  const head = html`<tr><th scope="col">${d.providerColumn}</th><th scope="col">${d.windowColumn}</th><th scope="col">${d.sends}</th><th scope="col">${d.hardBounces}</th><th scope="col">${d.hardBounceRate}</th><th scope="col">${d.softBounces}</th><th scope="col">${d.complaints}</th><th scope="col">${d.complaintRate}</th></tr>`;
  const body = groups.map((g) =>
    REPUTATION_WINDOWS.map(
      (w, i) => html`<tr>${i === 0 ? html`<th scope="rowgroup" rowspan="${REPUTATION_WINDOWS.length}">${g.name}</th>` : ''}<th scope="row">${d.windows[w]}</th>${countCells(f, g.windows[w])}</tr>`,
    ),
  );
  return figures(anchor(s.name, 'figures'), d.tableCaption(s.name), html`<thead>${head}</thead>${groups.map((_, gi) => html`<tbody>${body[gi]}</tbody>`)}`);
}

/**
 * A table of figures with its caption, scrolling sideways on a narrow screen (its caption names the
 * region). A caption is as wide as its table, so on a phone it would scroll out of sight with it:
 * the caption is for assistive technology, and the same words stand visibly above the region.
 */
const figures = (id: string, caption: string, rows: SafeHtml): SafeHtml =>
  html`<p class="table-title" aria-hidden="true">${caption}</p>${scrollTable(id, html`<table class="figures"><caption id="${id}" class="sr-only">${caption}</caption>${rows}</table>`)}`;

function charts(d: DeliverabilityTexts, f: Formats, report: DeliverabilityReport, s: StreamReputation): SafeHtml {
  const th = report.thresholds;
  const rateOf = (part: (c: ReputationCounts) => number) => s.daily.map(({ day, counts }) => ({ day, rate: counts.sends > 0 ? part(counts) / counts.sends : undefined }));
  const complaintDays = rateOf((c) => c.complaints);
  const bounceDays = rateOf((c) => c.hardBounces);
  const highest = (days: { rate: number | undefined }[]) => f.percent(Math.max(0, ...days.map((x) => x.rate ?? 0)));
  const complaintLines = [
    { value: th.warnComplaintRate, label: d.warnLine(f.percent(th.warnComplaintRate)), tone: 'warn' as const },
    { value: th.pauseComplaintRate, label: d.pauseLine(f.percent(th.pauseComplaintRate)), tone: 'pause' as const },
  ];
  const bounceLines = [
    { value: th.warnHardBounceRate, label: d.warnLine(f.percent(th.warnHardBounceRate)), tone: 'warn' as const },
    { value: th.pauseHardBounceRate, label: d.pauseLine(f.percent(th.pauseHardBounceRate)), tone: 'pause' as const },
  ];
  const summary = (days: { rate: number | undefined }[], lines: { label: string }[]) => d.chartSummary({ days: days.length, maxRate: highest(days), lines: lines.map((l) => l.label).join(', ') });
  const rows = s.daily.map(
    ({ day, counts }) =>
      html`<tr><th scope="row">${day}</th><td>${f.count(counts.sends)}</td><td>${f.count(counts.complaints)}</td><td>${counts.sends > 0 ? f.rate(counts.complaints, counts.sends) : d.noSends}</td><td>${f.count(counts.hardBounces)}</td><td>${counts.sends > 0 ? f.rate(counts.hardBounces, counts.sends) : d.noSends}</td></tr>`,
  );
  return html`<h3>${d.chartHeading}</h3>
<div class="charts">${rateChart({ id: anchor(s.name, 'complaints'), title: d.complaintChart(s.name), summary: summary(complaintDays, complaintLines), days: complaintDays, lines: complaintLines, percent: f.percent })}
${rateChart({ id: anchor(s.name, 'bounces'), title: d.bounceChart(s.name), summary: summary(bounceDays, bounceLines), days: bounceDays, lines: bounceLines, percent: f.percent })}</div>
<details><summary>${d.chartTable}</summary>${figures(
    anchor(s.name, 'daily'),
    d.chartTable,
    html`<thead><tr><th scope="col">${d.day}</th><th scope="col">${d.sends}</th><th scope="col">${d.complaints}</th><th scope="col">${d.complaintRate}</th><th scope="col">${d.hardBounces}</th><th scope="col">${d.hardBounceRate}</th></tr></thead><tbody>${rows}</tbody>`,
  )}</details>`;
}

function history(d: DeliverabilityTexts, f: Formats, s: StreamReputation, actorLabel: string, explanationLabel: string): SafeHtml {
  if (s.history.length === 0) return html`<p>${d.noHistory}</p>`;
  const item = (e: GuardHistoryEntry) => {
    const figures = e.counts
      ? d.pausedFigures({ window: d.windows[e.window ?? '24h'], sends: f.count(e.counts.sends), complaints: f.count(e.counts.complaints), complaintRate: f.rate(e.counts.complaints, e.counts.sends), hardBounces: f.count(e.counts.hardBounces), hardBounceRate: f.rate(e.counts.hardBounces, e.counts.sends) })
      : undefined;
    return html`<li><h4>${d.actions[e.action]} · <time datetime="${e.at}">${when(e.at)}</time></h4><dl class="kv"><dt>${actorLabel}</dt><dd>${e.actor ?? d.theGuard}</dd>${e.explanation ? html`<dt>${explanationLabel}</dt><dd>${e.explanation}</dd>` : ''}${figures ? html`<dt>${d.reasonLabel}</dt><dd>${figures}</dd>` : ''}</dl></li>`;
  };
  return html`<ol class="timeline">${s.history.map(item)}</ol>`;
}

function topTemplates(d: DeliverabilityTexts, f: Formats, s: StreamReputation, templateLabel: string, typeLabel: string): SafeHtml {
  const rows = [...s.topTemplates].sort((a, b) => (b.sends > 0 ? b.complaints / b.sends : 0) - (a.sends > 0 ? a.complaints / a.sends : 0));
  if (rows.length === 0) return html`<h3>${d.topTemplatesHeading}</h3><p>${d.noTopTemplates}</p>`;
  return figures(
    anchor(s.name, 'templates'),
    d.topTemplatesHeading,
    html`<thead><tr><th scope="col">${templateLabel}</th><th scope="col">${typeLabel}</th><th scope="col">${d.sends}</th><th scope="col">${d.complaints}</th><th scope="col">${d.complaintRate}</th></tr></thead><tbody>${rows.map(
      (tpl) => html`<tr><th scope="row">${tpl.template}</th><td>${tpl.subscriptionType ?? ''}</td><td>${f.count(tpl.sends)}</td><td>${f.count(tpl.complaints)}</td><td>${f.rate(tpl.complaints, tpl.sends)}</td></tr>`,
    )}</tbody>`,
  );
}

/** Pause for a running stream, resume for a paused one; the explanation is required either way. */
function guardForm(d: DeliverabilityTexts, o: DeliverabilityPageData, s: StreamReputation): SafeHtml {
  const paused = s.guard.state === 'paused';
  const id = anchor(s.name, 'explanation');
  const refused = o.error?.stream === s.name ? o.error : undefined;
  return html`<div class="guard-form"><h3>${paused ? d.resumeHeading : d.pauseHeading}</h3><p class="hint" id="${id}-hint">${paused ? d.resumeHint : d.pauseHint}</p>
<form method="post" action="${streamPath(s.name)}/${paused ? 'resume' : 'pause'}"><input type="hidden" name="csrf" value="${o.viewer.csrf}">
<div class="field"><label for="${id}">${d.explanationRequired}</label><textarea id="${id}" name="explanation" maxlength="${MAX_EXPLANATION}" required aria-describedby="${id}-hint"${refused ? html` aria-invalid="true"` : ''}>${refused?.explanation ?? ''}</textarea></div>
<button type="submit" class="${paused ? '' : 'danger'}" aria-label="${paused ? d.resumeStream(s.name) : d.pauseStream(s.name)}">${paused ? d.resume : d.pause}</button></form></div>`;
}

/** The deliverability section: banners first (paused, then warned), then each stream's state, figures, charts, history and templates. */
export function renderDeliverabilityPage(o: DeliverabilityPageData): string {
  const t = CONSOLE_TEXTS[o.locale];
  const d = t.deliverability;
  const f = formats(o.locale);
  const { report } = o;
  const th = report.thresholds;
  const paused = report.streams.filter((s) => s.guard.state === 'paused');
  const warned = report.streams.filter((s) => s.guard.state === 'warn');
  const section = (s: StreamReputation) => html`<section class="card" aria-labelledby="${anchor(s.name, 'h')}"><h2 id="${anchor(s.name, 'h')}">${d.streamHeading(s.name)}</h2>
<dl class="kv"><dt>${d.stateLabel}</dt><dd><span class="state state-${s.guard.state}">${d.states[s.guard.state]}</span></dd>${
    s.guard.state === 'paused' ? html`<dt>${d.since}</dt><dd>${when(s.guard.pausedAt)}</dd><dt>${d.pausedByLabel}</dt><dd>${pausedBy(d, s)}</dd>` : ''
  }${s.guard.reason ? html`<dt>${d.reasonLabel}</dt><dd>${s.guard.reason}</dd>` : ''}</dl>
${guardForm(d, o, s)}
${figuresTable(d, f, s)}
${charts(d, f, report, s)}
${topTemplates(d, f, s, t.template, t.subscriptionType)}
<h3>${d.historyHeading}</h3>${history(d, f, s, t.actor, t.explanation)}
</section>`;
  const body = html`<h1>${d.title}</h1>
${paused.map((s) => pausedBanner(d, f, s))}
${warned.map((s) => html`<div class="banner banner-warn" role="status"><p>${d.warnBanner(s.name)}</p></div>`)}
${o.done && report.streams.some((s) => s.name === o.done?.stream) ? banner('ok', [d.done[o.done.action](o.done.stream)]) : ''}
${o.error ? banner('error', [t.refused, o.error.message]) : ''}
<div class="card"><p>${d.intro}</p><p>${d.thresholds({ warnComplaint: f.percent(th.warnComplaintRate), pauseComplaint: f.percent(th.pauseComplaintRate), warnBounce: f.percent(th.warnHardBounceRate), pauseBounce: f.percent(th.pauseHardBounceRate), minVolume: f.count(th.minVolume) })}</p>
<p class="hint">${d.generatedAt(when(report.generatedAt))}</p></div>
${report.streams.length === 0 ? html`<p>${d.noStreams}</p>` : report.streams.map(section)}`;
  return consolePage({ locale: o.locale, title: d.title, viewer: o.viewer, current: 'deliverability', body });
}
