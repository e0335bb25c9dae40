import type { AppGroup } from './app-group.js';
import { diffCalls } from './counting-state-store.js';
import { diffQueries, diffTables, type QueryCounts } from './query-counter.js';
import type { RedisMonitor } from './redis-monitor.js';
import { round } from './stats.js';

/** What one operation costs the backends, averaged over a sequential run of them. */
export interface OpCounts {
  samples: number;
  db: QueryCounts;
  /** Statements by `kind:table`. */
  dbTables: Record<string, number>;
  /** State-store round trips (a MULTI…EXEC block or one StateStore call counts once). */
  storeRoundTrips: number;
  /** Redis commands, where Redis is used (a transaction's commands each count). */
  storeCommands: number | null;
  storeByCommand: Record<string, number>;
  /** Round trips by key kind: which part of the service makes them (`rl` is rate limiting). */
  storeByKeyKind: Record<string, number>;
}

const settle = () => new Promise((r) => setTimeout(r, 50));

const per = (record: Record<string, number>, n: number) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, round(v / n, 2)]));

/**
 * Runs `op` n times one after another and divides what the database and the state store saw
 * by n. Writes express-session makes after a response are caught by a short settle.
 */
export async function countPerOp(
  group: AppGroup,
  monitor: RedisMonitor | undefined,
  n: number,
  op: (i: number) => Promise<unknown>,
): Promise<OpCounts> {
  await settle();
  const q0 = group.queries.snapshot();
  const t0 = group.queries.tables();
  const s0 = group.storeCalls?.snapshot();
  const k0 = group.storeCalls?.kinds() ?? {};
  const mark = monitor ? await monitor.mark() : 0;
  for (let i = 0; i < n; i++) await op(i);
  await settle();
  const db = diffQueries(group.queries.snapshot(), q0, n);
  const dbTables = diffTables(group.queries.tables(), t0, n);
  const rounded = Object.fromEntries(Object.entries(db).map(([k, v]) => [k, round(v, 2)])) as unknown as QueryCounts;
  if (monitor) {
    const counted = await monitor.countSince(mark);
    return {
      samples: n, db: rounded, dbTables,
      storeRoundTrips: round(counted.roundTrips / n, 2),
      storeCommands: round(counted.commands / n, 2),
      storeByCommand: per(counted.byCommand, n),
      storeByKeyKind: per(counted.byKeyKind, n),
    };
  }
  const calls = diffCalls(group.storeCalls!.snapshot(), s0!, n);
  const { total, ...byMethod } = calls;
  const storeByKeyKind = diffTables(group.storeCalls!.kinds(), k0, n);
  return { samples: n, db: rounded, dbTables, storeRoundTrips: round(total, 2), storeCommands: null, storeByCommand: per(byMethod, 1), storeByKeyKind };
}
