/** Tiny Markdown helpers shared by the compare and bench reports. */

export const table = (head: readonly string[], rows: ReadonlyArray<readonly (string | number)[]>): string =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n');

/** A number for people: thousands separated, limited decimals, '–' when not a number. */
export function fmt(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

export const bytes = (n: number | null | undefined): string => {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 1024 * 1024) return `${fmt(n / 1024 / 1024, 1)} MiB`;
  if (Math.abs(n) >= 1024) return `${fmt(n / 1024, 1)} KiB`;
  return `${fmt(n, 0)} B`;
};

export const verdict = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? '**met**' : '**missed**');
