import type { CompareReport } from './compare-run.js';
import { barChart, CHART_CSS, esc, type BarChart } from './svg-chart.js';
import { markdownToHtml } from './markdown-html.js';

const OPS = ['login', 'me', 'refresh', 'revoke'] as const;
const SERIES = ['JWT', 'SESSION'];

function charts(r: CompareReport): BarChart[] {
  const { jwt, session } = r.workload;
  const pair = <T,>(f: (w: typeof jwt) => T) => [f(jwt), f(session)];
  return [
    { title: 'Latency p50', unit: 'ms', series: SERIES, groups: OPS.map((op) => ({ label: op, values: pair((w) => w.latency[op].p50Ms) })) },
    { title: 'Latency p99', unit: 'ms', series: SERIES, groups: OPS.map((op) => ({ label: op, values: pair((w) => w.latency[op].p99Ms) })) },
    { title: 'Throughput', unit: 'operations/s', series: SERIES, groups: OPS.map((op) => ({ label: op, values: pair((w) => w.latency[op].perSec) })) },
    {
      title: 'Authentication alone vs raw crypto, median', unit: 'µs', series: SERIES,
      groups: [
        { label: 'same credential repeated', values: pair((w) => w.authCost.repeated.medianUs) },
        { label: 'first sight on instance B', values: pair((w) => w.authCost.firstSight?.medianUs ?? null) },
        { label: 'raw node:crypto verify', values: pair((w) => w.authCost.raw?.medianUs ?? null) },
      ],
    },
    { title: 'State-store round trips per operation', unit: 'round trips', series: SERIES, groups: OPS.map((op) => ({ label: op, values: pair((w) => w.counts[op].storeRoundTrips) })) },
    {
      title: 'Database statements per operation', unit: 'statements', series: ['JWT reads', 'JWT writes', 'SESSION reads', 'SESSION writes'],
      groups: OPS.map((op) => ({ label: op, values: [jwt.counts[op].db.reads, jwt.counts[op].db.writes, session.counts[op].db.reads, session.counts[op].db.writes] })),
    },
    {
      title: 'State-store keys as live logins grow', unit: 'keys', series: SERIES,
      groups: r.growth.jwt.points.map((p, i) => ({
        label: p.label,
        values: [p.storeKeys - r.growth.jwt.baseline.storeKeys, r.growth.session.points[i]!.storeKeys - r.growth.session.baseline.storeKeys],
      })),
    },
    { title: 'Credential bytes per request', unit: 'bytes', series: SERIES, groups: [{ label: 'request header', values: pair((w) => w.wire.perRequest) }] },
  ];
}

/** A self-contained page: the table, the charts, the machine and settings. */
export function compareHtml(r: CompareReport, markdown: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>JWT or sessions? ${esc(r.backend.name)}</title>
<style>body{font:14px system-ui,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}th{background:#f3f3f3}
td:not(:first-child){text-align:right}code{background:#f3f3f3;padding:0 3px}${CHART_CSS}</style></head>
<body>
${markdownToHtml(markdown)}
<h2>Charts</h2>
${charts(r).map(barChart).join('\n')}
<h2>Machine and settings</h2>
<pre>${esc(JSON.stringify({ machine: r.machine, backend: r.backend, settings: r.settings, sizes: r.sizes, generatedAt: r.generatedAt }, null, 2))}</pre>
</body></html>
`;
}
