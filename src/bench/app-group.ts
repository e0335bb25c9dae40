import { createApp, type RunningApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createDatabase, type Database } from '../stores/database.js';
import { MemoryStateStore } from '../stores/memory-state-store.js';
import type { BenchBackend } from './backend.js';
import { createCountingStateStore, type CountingStateStore } from './counting-state-store.js';
import { createQueryCounter, type QueryCounter } from './query-counter.js';

export interface AppGroup {
  /** Instance A: the one measured and counted. */
  a: RunningApp;
  urlA: string;
  /** Instance B of the same deployment (same database and state store), when asked for. */
  b: RunningApp | undefined;
  urlB: string | undefined;
  queries: QueryCounter;
  /** Counts calls to the in-process store; undefined with Redis (counted by MONITOR). */
  storeCalls: CountingStateStore | undefined;
  database: Database;
  stop(): Promise<void>;
}

const READY_MS = 60_000;

/** Starts one app and waits (bounded) until it is ready. */
export async function startOne(env: Record<string, string>, overrides: Parameters<typeof createApp>[1]): Promise<{ app: RunningApp; url: string }> {
  const app = createApp(loadConfig(env), overrides);
  const url = await app.start();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      app.ready(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('app not ready within 60 s')), READY_MS))),
    ]);
  } catch (error) {
    await app.stop().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { app, url };
}

/**
 * Two instances of one deployment. Instance A's database is built here with a query counter;
 * with the in-process store, both share one counted store object (one process stands in for
 * a deployment). Embedded PGlite is one connection in this process, so B shares it too; on
 * PostgreSQL and Redis, B opens its own connections.
 */
export async function startGroup(backend: BenchBackend, env: Record<string, string>, withPeer: boolean): Promise<AppGroup> {
  const queries = createQueryCounter();
  const database = createDatabase({ databaseUrl: backend.databaseUrl, dataDir: backend.dataDir, onQuery: queries.onQuery });
  const storeCalls = backend.redisUrl ? undefined : createCountingStateStore(new MemoryStateStore());
  const started: RunningApp[] = [];
  const stop = async () => {
    for (const app of started.reverse()) await app.stop().catch(() => {});
    await storeCalls?.store.close().catch(() => {});
    await database.close().catch(() => {});
  };
  try {
    const a = await startOne(env, { database, stateStore: storeCalls?.store });
    started.push(a.app);
    const peerOverrides = { database: database.kind === 'pglite' ? database : undefined, stateStore: storeCalls?.store };
    const b = withPeer ? await startOne(env, peerOverrides) : undefined;
    if (b) started.push(b.app);
    return { a: a.app, urlA: a.url, b: b?.app, urlB: b?.url, queries, storeCalls, database, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
