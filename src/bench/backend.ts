import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { createScratchDatabase } from './scratch-database.js';

/**
 * Where a compare or bench run puts its data: always something of its own, never the
 * operator's. Embedded: a temporary DATA_DIR. PostgreSQL: a scratch database created on the
 * DATABASE_URL server and dropped afterwards. Redis: unique key prefixes, deleted afterwards.
 */
export interface BenchBackend {
  readonly name: 'embedded' | 'postgres+redis' | 'postgres' | 'redis';
  readonly databaseUrl: string | undefined;
  readonly redisUrl: string | undefined;
  readonly dataDir: string;
  /** Environment for an app on this backend; with Redis, keys live under `prefix`. */
  env(prefix?: string): Record<string, string>;
  /** A key prefix no one else uses; remembered so cleanup deletes its keys. */
  newPrefix(tag: string): string;
  cleanup(): Promise<void>;
}

const RUN_ID = randomBytes(4).toString('hex');

const live = new Set<BenchBackend>();

/** Cleans up every backend still open (for a signal that interrupts a run). */
export async function cleanupAllBackends(): Promise<void> {
  await Promise.allSettled([...live].map((b) => b.cleanup()));
}

/** Deletes every key under the given prefixes (SCAN + UNLINK, never FLUSHDB). */
export async function deleteKeys(redisUrl: string, prefixes: readonly string[]): Promise<number> {
  const client = createClient({ url: redisUrl });
  client.on('error', () => {});
  await client.connect();
  let deleted = 0;
  try {
    for (const prefix of prefixes) {
      for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
        if (keys.length) deleted += await client.unlink(keys);
      }
    }
  } finally {
    await client.close();
  }
  return deleted;
}

export async function createBenchBackend(env: Record<string, string | undefined>): Promise<BenchBackend> {
  const baseDb = env.DATABASE_URL || undefined;
  const redisUrl = env.REDIS_URL || undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-compare-'));
  const scratch = baseDb ? await createScratchDatabase(baseDb, `identity_compare_${RUN_ID}`) : undefined;
  const prefixes: string[] = [];
  const name = baseDb && redisUrl ? 'postgres+redis' : baseDb ? 'postgres' : redisUrl ? 'redis' : 'embedded';
  const newPrefix = (tag: string) => {
    const prefix = `compare:${RUN_ID}:${tag}:${randomBytes(3).toString('hex')}:`;
    prefixes.push(prefix);
    return prefix;
  };
  const backend: BenchBackend = {
    name,
    databaseUrl: scratch?.url,
    redisUrl,
    dataDir,
    env(prefix) {
      const out: Record<string, string> = { DATA_DIR: dataDir };
      if (scratch) out.DATABASE_URL = scratch.url;
      if (redisUrl) Object.assign(out, { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix ?? newPrefix('app') });
      return out;
    },
    newPrefix,
    async cleanup() {
      if (!live.delete(backend)) return;
      if (redisUrl && prefixes.length) await deleteKeys(redisUrl, prefixes).catch(() => 0);
      if (scratch) await scratch.drop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  live.add(backend);
  return backend;
}

/** The URL with any password hidden, for reports. */
export function redactUrl(url: string | undefined): string | null {
  if (!url) return null;
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
