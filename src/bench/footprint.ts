import v8 from 'node:v8';
import vm from 'node:vm';
import { createClient } from 'redis';
import type { AppGroup } from './app-group.js';
import type { MemoryStateStore } from '../stores/memory-state-store.js';

/** What the logins of a deployment occupy at one moment. */
export interface Footprint {
  storeKeys: number;
  /** Keys by their first name segment (`sess`, `user-sessions`…), to show what grows. */
  keyKinds: Record<string, number>;
  /** Sum of Redis MEMORY USAGE over the keys; for the in-process store, its entries v8-serialized. */
  storeBytes: number | null;
  /** This process's V8 heap after a full collection (app, in-process store and the run itself). */
  heapBytes: number;
  /** Rows per table of the run's database. */
  dbRows: Record<string, number>;
}

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Heap after full collections. WeakRef targets live until the current job ends, so a pause
 * between collections lets them go (else the first reading carries garbage the next does not).
 */
export async function heapAfterGc(): Promise<number> {
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  return process.memoryUsage().heapUsed;
}

const kindOf = (key: string) => key.split(':')[0] || '?';

function countKinds(keys: Iterable<string>, into: Record<string, number> = {}): Record<string, number> {
  for (const key of keys) into[kindOf(key)] = (into[kindOf(key)] ?? 0) + 1;
  return into;
}

async function redisFootprint(url: string, prefix: string): Promise<{ keys: number; bytes: number; kinds: Record<string, number> }> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  let keys = 0;
  let bytes = 0;
  const kinds: Record<string, number> = {};
  try {
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      keys += batch.length;
      countKinds(batch.map((k) => k.slice(prefix.length)), kinds);
      const sizes = await Promise.all(batch.map((k) => client.memoryUsage(k)));
      bytes += sizes.reduce<number>((sum, n) => sum + (n ?? 0), 0);
    }
  } finally {
    await client.close();
  }
  return { keys, bytes, kinds };
}

async function tableRows(group: AppGroup): Promise<Record<string, number>> {
  return group.database.withConnection(async (conn) => {
    const tables = await conn.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1",
    );
    const out: Record<string, number> = {};
    for (const { name } of tables) {
      const [row] = await conn.query<{ n: string | number }>(`SELECT count(*) AS n FROM "${name.replace(/"/g, '')}"`);
      out[name] = Number(row?.n ?? 0);
    }
    return out;
  });
}

export async function measureFootprint(group: AppGroup, redis: { url: string; prefix: string } | undefined): Promise<Footprint> {
  const dbRows = await tableRows(group);
  if (redis) {
    const { keys, bytes, kinds } = await redisFootprint(redis.url, redis.prefix);
    return { storeKeys: keys, keyKinds: kinds, storeBytes: bytes, heapBytes: await heapAfterGc(), dbRows };
  }
  const store = group.storeCalls!.store as unknown as MemoryStateStore;
  const size = store.size();
  // The in-process store keeps its entries in a private Map; read its key names for the breakdown.
  const entries = (store as unknown as { entries?: Map<string, unknown> }).entries;
  const keyKinds = entries ? countKinds(entries.keys()) : {};
  const storeBytes = entries ? v8.serialize([...entries]).length : null;
  return { storeKeys: size, keyKinds, storeBytes, heapBytes: await heapAfterGc(), dbRows };
}
