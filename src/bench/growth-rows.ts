import type { CompareReport } from './compare-run.js';
import type { Footprint } from './footprint.js';
import type { GrowthPoint, GrowthResult } from './growth.js';
import { bytes, fmt } from './markdown.js';

const kinds = (k: Record<string, number>, base: Record<string, number>) =>
  Object.entries(k)
    .map(([name, n]) => [name, n - (base[name] ?? 0)] as const)
    .filter(([, n]) => n !== 0)
    .map(([name, n]) => `${name} ${fmt(n, 0)}`)
    .join(', ');

function keysCell(p: GrowthPoint, base: Footprint): string {
  const d = p.storeKeys - base.storeKeys;
  const per = p.revoked ? '' : ` = ${fmt(d / p.liveLogins, 2)}/login`;
  return `${fmt(d, 0)}${per} (${kinds(p.keyKinds, base.keyKinds) || 'none'})`;
}

function bytesCell(p: GrowthPoint, base: Footprint): string {
  if (p.storeBytes === null || base.storeBytes === null) return 'n/a';
  const d = p.storeBytes - base.storeBytes;
  return p.revoked ? bytes(d) : `${bytes(d)} = ${bytes(d / p.liveLogins)}/login`;
}

/** Heap is compared with the previous row (the first with the empty instance): marginal cost. */
function heapCell(p: GrowthPoint, previous: GrowthPoint): string {
  const d = p.heapBytes - previous.heapBytes;
  const added = p.liveLogins - previous.liveLogins;
  return p.revoked || added <= 0 ? bytes(d) : `${bytes(d)} = ${bytes(d / added)}/login`;
}

function rowsCell(p: GrowthPoint, base: Footprint): string {
  const d = Object.entries(p.dbRows).reduce((sum, [t, n]) => sum + n - (base.dbRows[t] ?? 0), 0);
  const per = p.revoked ? '' : ` = ${fmt(d / p.liveLogins, 2)}/login`;
  return `${fmt(d, 0)}${per} (${kinds(p.dbRows, base.dbRows) || 'none'})`;
}

const labelOf = (p: GrowthPoint) => (p.revoked ? `after revoking ${fmt(p.revoked, 0)} of ${fmt(p.liveLogins + p.revoked, 0)}` : `${fmt(p.liveLogins, 0)} live logins`);

/** Rows for state-store keys, bytes, heap and database rows as live logins grow and are revoked. */
export function growthRows(r: CompareReport): Array<readonly string[]> {
  const { jwt, session } = r.growth;
  const rows: Array<readonly string[]> = [];
  const cells = (g: GrowthResult, i: number, f: (p: GrowthPoint, b: Footprint) => string) => f(g.points[i]!, g.baseline);
  jwt.points.forEach((p, i) => {
    const label = labelOf(p);
    rows.push([`state-store keys, ${label}`, cells(jwt, i, keysCell), cells(session, i, keysCell)]);
    rows.push([`state-store bytes (${r.backend.stateStore.startsWith('Redis') ? 'Redis MEMORY USAGE' : 'entries v8-serialized'}), ${label}`, cells(jwt, i, bytesCell), cells(session, i, bytesCell)]);
    // The empty instance is no reference for the heap: the phase before leaves garbage that
    // only becomes collectable later. The heap is compared from the first step on.
    const heap = (g: GrowthResult) => (i === 0 ? 'reference point' : heapCell(g.points[i]!, g.points[i - 1]!));
    rows.push([`process heap change since the row before, ${label}`, heap(jwt), heap(session)]);
    rows.push([`database rows added, ${label}`, cells(jwt, i, rowsCell), cells(session, i, rowsCell)]);
  });
  rows.push([`login rate filling the first ${fmt(jwt.points[0]?.liveLogins, 0)} over HTTP (/s, fast argon2)`, fmt(jwt.fillRatePerSec), fmt(session.fillRatePerSec)]);
  return rows;
}
