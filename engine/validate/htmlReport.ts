/**
 * The self-contained HTML report of a comparison: a table of every metric's medians, the
 * difference with its interval, p-value and verdict, and per metric a box-and-strip plot
 * drawn as inline SVG here (no script, no network, opens anywhere and archives as one CI
 * artifact).
 */
import type { ComparisonResult, MetricComparison } from './compare';
import { formatNumber, formatP } from './compare';
import { quantileSorted } from './stats';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : 'n/a');

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** One metric's plot: a box (quartiles, median) with whiskers to min and max, and every run as a dot. */
export function stripPlotSvg(m: MetricComparison, a: readonly number[], b: readonly number[], labels: { a: string; b: string }): string {
  const W = 680;
  const H = 150;
  const left = 120;
  const right = 20;
  const all = [...a, ...b];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) {
    lo -= Math.abs(lo) * 0.05 || 1;
    hi += Math.abs(hi) * 0.05 || 1;
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (W - left - right);
  const parts: string[] = [];
  const ticks = niceTicks(lo, hi);
  for (const t of ticks) {
    parts.push(`<line x1="${x(t).toFixed(1)}" y1="20" x2="${x(t).toFixed(1)}" y2="${H - 25}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="middle" font-size="11" fill="#555">${esc(formatNumber(t))}</text>`);
  }
  const rows: [string, readonly number[], number, string][] = [
    [labels.a, a, 45, '#3b6fb6'],
    [labels.b, b, 100, m.verdict === 'worse' ? '#c0392b' : m.verdict === 'better' ? '#1e8449' : '#d68910'],
  ];
  for (const [label, xs, y, color] of rows) {
    const s = [...xs].sort((p, q) => p - q);
    const q1 = quantileSorted(s, 0.25);
    const q2 = quantileSorted(s, 0.5);
    const q3 = quantileSorted(s, 0.75);
    parts.push(`<text x="${left - 8}" y="${y + 4}" text-anchor="end" font-size="12" fill="#222">${esc(label.length > 16 ? `…${label.slice(-15)}` : label)}</text>`);
    parts.push(`<line x1="${x(s[0]).toFixed(1)}" y1="${y}" x2="${x(s[s.length - 1]).toFixed(1)}" y2="${y}" stroke="${color}" stroke-width="1.5"/>`);
    parts.push(`<rect x="${x(q1).toFixed(1)}" y="${y - 14}" width="${Math.max(1, x(q3) - x(q1)).toFixed(1)}" height="28" fill="${color}" fill-opacity="0.18" stroke="${color}"/>`);
    parts.push(`<line x1="${x(q2).toFixed(1)}" y1="${y - 16}" x2="${x(q2).toFixed(1)}" y2="${y + 16}" stroke="${color}" stroke-width="3"><title>median ${esc(formatNumber(q2))}</title></line>`);
    xs.forEach((v, i) => {
      // Deterministic jitter so equal values stay visible.
      const jy = y + (((i * 7919) % 17) - 8) * 1.2;
      parts.push(`<circle cx="${x(v).toFixed(1)}" cy="${jy.toFixed(1)}" r="3" fill="${color}" fill-opacity="0.75"><title>run ${i + 1}: ${esc(formatNumber(v))}</title></circle>`);
    });
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${m.metric}: ${labels.a} against ${labels.b}`)}">${parts.join('')}</svg>`;
}

export interface ReportContext {
  title?: string;
  labels: { a: string; b: string };
  command?: string;
  createdAt?: string;
}

/** The whole report as one HTML document. */
export function comparisonHtml(r: ComparisonResult, ctx: ReportContext): string {
  const title = ctx.title ?? `A/B comparison: ${ctx.labels.a} vs ${ctx.labels.b}`;
  const rows = r.metrics
    .map(
      (m) => `<tr class="${m.verdict === 'no detectable difference' ? 'none' : m.verdict}">
<td>${esc(m.metric)}</td><td>${m.direction === 'minimize' ? 'lower' : 'higher'}</td><td class="num">${esc(formatNumber(m.median.a))}</td><td class="num">${esc(formatNumber(m.median.b))}</td>
<td class="num">${pct(m.relative)}</td><td class="num">${pct(m.relativeCi.lo)} to ${pct(m.relativeCi.hi)}</td><td class="num wrap">${esc(formatNumber(m.shift.estimate))} [${esc(formatNumber(m.shift.ci.lo))}, ${esc(formatNumber(m.shift.ci.hi))}]</td><td class="num">${esc(formatP(m.p))}</td><td class="verdict">${esc(m.verdict)}</td></tr>`,
    )
    .join('\n');
  const plots = r.metrics
    .map((m) => `<section><h2>${esc(m.metric)} <span class="${m.verdict === 'no detectable difference' ? 'none' : m.verdict}">${esc(m.verdict)}</span></h2>
<p>Median ${esc(formatNumber(m.median.a))} → ${esc(formatNumber(m.median.b))} (${pct(m.relative)}; ${Math.round(r.level * 100)}% CI ${pct(m.relativeCi.lo)} to ${pct(m.relativeCi.hi)}), Mann–Whitney p = ${esc(formatP(m.p))}; means ${esc(formatNumber(m.mean.a))} → ${esc(formatNumber(m.mean.b))} (Welch p = ${esc(formatP(m.welch.p))}).</p>
${stripPlotSvg(m, r.samples.a[m.metric] ?? [], r.samples.b[m.metric] ?? [], ctx.labels)}</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; max-width: 1000px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 0.92em; } th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; } td.wrap { white-space: normal; }
.worse, tr.worse .verdict { color: #c0392b; font-weight: 600; } .better, tr.better .verdict { color: #1e8449; font-weight: 600; } .none, tr.none .verdict { color: #7d6608; }
h2 { font-size: 1.05em; margin-top: 28px; } .meta { color: #555; font-size: 0.9em; } .problem { color: #c0392b; }
</style></head><body>
<h1>${esc(title)}</h1>
<p class="meta">A = ${esc(ctx.labels.a)}, B = ${esc(ctx.labels.b)}. ${r.repeats} measured run(s) per configuration after ${r.warmup} warm-up round(s), order ${r.order === 'abab' ? 'A B A B …' : `randomized blocks (seed ${r.seed})`}.${ctx.command ? ` Command: <code>${esc(ctx.command)}</code>.` : ''}${ctx.createdAt ? ` ${esc(ctx.createdAt)}.` : ''}</p>
${r.problem ? `<p class="problem">${esc(r.problem)}</p>` : ''}
<p class="meta">The difference is B − A of the medians; its interval is a ${Math.round(r.level * 100)}% percentile bootstrap interval. "better"/"worse" needs both the Mann–Whitney test to reject and the interval to exclude 0; otherwise there is no detectable difference. The shift is the Hodges–Lehmann estimate with its interval.</p>
<table><thead><tr><th>metric</th><th>better</th><th>median A</th><th>median B</th><th>change</th><th>${Math.round(r.level * 100)}% CI</th><th>shift [CI]</th><th>p</th><th>verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${plots}
</body></html>
`;
}
