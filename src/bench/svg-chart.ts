/** Grouped horizontal bar charts as inline SVG: no script, no CDN, renders offline. */

export interface BarGroup {
  label: string;
  /** One value per series, in series order; null when not measured. */
  values: ReadonlyArray<number | null>;
}

export interface BarChart {
  title: string;
  unit: string;
  series: readonly string[];
  groups: readonly BarGroup[];
}

const COLORS = ['#3b6fb6', '#d9822b', '#5a9e4b', '#8e5ea2'];
const WIDTH = 720;
const LABEL_W = 230;
const BAR_H = 14;
const GAP = 10;

export const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const num = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function legend(series: readonly string[], y: number): string {
  return series
    .map((s, i) => `<rect x="${LABEL_W + i * 110}" y="${y}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>` +
      `<text x="${LABEL_W + i * 110 + 16}" y="${y + 10}">${esc(s)}</text>`)
    .join('');
}

/** One chart; bars scale to the largest value in it. */
export function barChart(chart: BarChart): string {
  const max = Math.max(1e-9, ...chart.groups.flatMap((g) => g.values.filter((v): v is number => v !== null && Number.isFinite(v))));
  const plotW = WIDTH - LABEL_W - 70;
  const groupH = chart.series.length * BAR_H + GAP;
  const height = 50 + chart.groups.length * groupH + 10;
  const bars = chart.groups.map((g, gi) => {
    const top = 44 + gi * groupH;
    const label = `<text x="${LABEL_W - 8}" y="${top + (chart.series.length * BAR_H) / 2 + 4}" text-anchor="end">${esc(g.label)}</text>`;
    const rects = g.values.map((v, si) => {
      const y = top + si * BAR_H;
      if (v === null || !Number.isFinite(v)) return `<text x="${LABEL_W + 4}" y="${y + 11}" class="na">n/a</text>`;
      const w = Math.max(1, (v / max) * plotW);
      return `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H - 2}" fill="${COLORS[si % COLORS.length]}"/>` +
        `<text x="${LABEL_W + w + 4}" y="${y + 11}">${num(v)}</text>`;
    });
    return label + rects.join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${esc(chart.title)}">`,
    `<text x="0" y="16" class="title">${esc(chart.title)} (${esc(chart.unit)})</text>`,
    legend(chart.series, 24),
    ...bars,
    '</svg>',
  ].join('');
}

export const CHART_CSS = 'svg{font:12px system-ui,sans-serif;margin:12px 0;display:block} svg .title{font-weight:600;font-size:14px} svg .na{fill:#888}';
