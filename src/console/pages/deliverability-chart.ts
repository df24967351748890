import { html, type SafeHtml } from '../../http/html.ts';

/** One threshold drawn across the chart: a warn line (dashed) or a pause line (dotted, red). */
export interface ChartLine {
  value: number;
  label: string;
  tone: 'warn' | 'pause';
}

export interface RateChart {
  /** Unique on the page: the title and description are referenced by id. */
  id: string;
  title: string;
  /** What the chart shows in one sentence (its accessible description). */
  summary: string;
  /** Oldest first; `rate` undefined for a day without sends (a gap, not a zero). */
  days: { day: string; rate: number | undefined }[];
  lines: ChartLine[];
  percent: (rate: number) => string;
}

// The drawing area inside the viewBox; the right margin holds the threshold labels.
const W = 640;
const H = 220;
const LEFT = 66;
const RIGHT = 530;
const TOP = 14;
const BOTTOM = 188;

const fixed = (n: number): string => n.toFixed(1);

/** Consecutive days with sends, as polyline point lists (a day without sends breaks the line). */
function segments(points: { x: number; y: number | undefined }[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const p of points) {
    if (p.y === undefined) {
      if (current.length > 0) out.push(current.join(' '));
      current = [];
    } else current.push(`${fixed(p.x)},${fixed(p.y)}`);
  }
  if (current.length > 0) out.push(current.join(' '));
  return out;
}

/**
 * An inline SVG line chart of one daily rate, with its thresholds drawn and labelled. No script and
 * no `style` attributes (the console's CSP allows only its hashed stylesheet): the look comes from
 * classes in CONSOLE_STYLES. `role="img"` with a title and a description; the same figures are on
 * the page as a table for anyone who cannot see the chart.
 */
export function rateChart(c: RateChart): SafeHtml {
  const observed = c.days.map((d) => d.rate ?? 0);
  // The scale leaves room above the highest line, so a rate crossing it is seen crossing it.
  const max = Math.max(...observed, ...c.lines.map((l) => l.value * 1.25), 0.0001);
  const y = (v: number) => BOTTOM - (Math.min(v, max) / max) * (BOTTOM - TOP);
  const step = c.days.length > 1 ? (RIGHT - LEFT) / (c.days.length - 1) : 0;
  const points = c.days.map((d, i) => ({ x: LEFT + i * step, y: d.rate === undefined ? undefined : y(d.rate) }));
  const first = c.days[0]?.day ?? '';
  const last = c.days[c.days.length - 1]?.day ?? '';
  return html`<figure class="chart-figure"><figcaption>${c.title}</figcaption><svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${c.id}-title ${c.id}-desc" xmlns="http://www.w3.org/2000/svg">
<title id="${c.id}-title">${c.title}</title><desc id="${c.id}-desc">${c.summary}</desc>
<line class="axis" x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${BOTTOM}"/><line class="axis" x1="${LEFT}" y1="${BOTTOM}" x2="${RIGHT}" y2="${BOTTOM}"/>
<text class="tick" x="${LEFT - 6}" y="${BOTTOM + 4}" text-anchor="end">${c.percent(0)}</text>
<text class="tick" x="${LEFT - 6}" y="${TOP + 4}" text-anchor="end">${c.percent(max)}</text>
<text class="tick" x="${LEFT}" y="${H - 8}" text-anchor="start">${first}</text>
<text class="tick" x="${RIGHT}" y="${H - 8}" text-anchor="end">${last}</text>
${c.lines.map(
  (l) =>
    html`<line class="limit limit-${l.tone}" x1="${LEFT}" y1="${fixed(y(l.value))}" x2="${RIGHT}" y2="${fixed(y(l.value))}"/><text class="limit-label" x="${RIGHT + 6}" y="${fixed(y(l.value) + 4)}">${l.label}</text>`,
)}
${segments(points).map((p) => html`<polyline class="series" points="${p}"/>`)}
${points.map((p) => (p.y === undefined ? '' : html`<circle class="dot" cx="${fixed(p.x)}" cy="${fixed(p.y)}" r="3"/>`))}
</svg></figure>`;
}

/** The chart's stylesheet rules, part of CONSOLE_STYLES (colours with enough contrast on white). */
export const CHART_STYLES = `
.chart-figure{margin:0 0 1rem}
.chart-figure figcaption{font-weight:600;margin:0 0 .25rem}
.chart{display:block;width:100%;height:auto;max-width:46rem}
.chart .axis{stroke:#4a5568;stroke-width:1}
.chart .series{fill:none;stroke:#1f4fd1;stroke-width:2}
.chart .dot{fill:#1f4fd1}
.chart .limit{stroke-width:1.5}
.chart .limit-warn{stroke:#8a5a00;stroke-dasharray:6 4}
.chart .limit-pause{stroke:#b42318;stroke-dasharray:2 3}
.chart text{fill:#1b2333;font-size:15px;font-family:system-ui,sans-serif}
`;
