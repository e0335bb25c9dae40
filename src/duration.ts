/**
 * Durations as the contract writes them: `900` (seconds), `900s`, `15m`, `12h`, `14d`.
 * Returns milliseconds, or null when the text is not a duration.
 */
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/.exec(text);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = match[2] || 's';
  const ms = amount * (UNIT_MS[unit] ?? 1_000);
  return Number.isSafeInteger(ms) ? ms : null;
}
