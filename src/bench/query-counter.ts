/** Counts database statements by kind, fed by the database's `onQuery` hook. */

export interface QueryCounts {
  reads: number;
  writes: number;
  /** Transaction control (the adapters report an implicit COMMIT per transaction). */
  transactions: number;
  other: number;
}

export type QueryKind = keyof QueryCounts;

/** SELECT is a read; INSERT, UPDATE, DELETE (also inside a WITH) is a write. */
export function classifySql(sql: string): QueryKind {
  const text = sql.trim().replace(/^(--[^\n]*\n?|\/\*[\s\S]*?\*\/|\s)+/, '');
  if (/^--.*\b(COMMIT|ROLLBACK|BEGIN)\b/i.test(sql.trim())) return 'transactions';
  const head = /^[A-Za-z]+/.exec(text)?.[0]?.toUpperCase() ?? '';
  if (head === 'SELECT') return 'reads';
  if (['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(head)) return 'writes';
  if (head === 'WITH') return /\b(INSERT|UPDATE|DELETE)\b/i.test(text) ? 'writes' : 'reads';
  if (['BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'RELEASE'].includes(head)) return 'transactions';
  return 'other';
}

export const zeroQueries = (): QueryCounts => ({ reads: 0, writes: 0, transactions: 0, other: 0 });

/** The first table a statement names (`"public"."User"` → User), for the per-table breakdown. */
export function tableOf(sql: string): string | null {
  const m = /\b(?:FROM|INTO|UPDATE)\s+(?:"?\w+"?\.)?"?(\w+)"?/i.exec(sql);
  return m?.[1] ?? null;
}

export interface QueryCounter {
  readonly onQuery: (sql: string) => void;
  snapshot(): QueryCounts;
  /** Statements by `kind:table`, e.g. `writes:RefreshToken`. */
  tables(): Record<string, number>;
}

export function createQueryCounter(): QueryCounter {
  const counts = zeroQueries();
  const byTable: Record<string, number> = {};
  return {
    onQuery(sql) {
      const kind = classifySql(sql);
      counts[kind]++;
      if (kind === 'reads' || kind === 'writes') {
        const key = `${kind}:${tableOf(sql) ?? '?'}`;
        byTable[key] = (byTable[key] ?? 0) + 1;
      }
    },
    snapshot: () => ({ ...counts }),
    tables: () => ({ ...byTable }),
  };
}

/** Per-operation statements by `kind:table` between two `tables()` snapshots. */
export function diffTables(after: Record<string, number>, before: Record<string, number>, per = 1): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(after)) {
    const d = (n - (before[key] ?? 0)) / per;
    if (d) out[key] = Math.round(d * 100) / 100;
  }
  return out;
}

export function diffQueries(after: QueryCounts, before: QueryCounts, per = 1): QueryCounts {
  const d = (k: QueryKind) => (after[k] - before[k]) / per;
  return { reads: d('reads'), writes: d('writes'), transactions: d('transactions'), other: d('other') };
}
