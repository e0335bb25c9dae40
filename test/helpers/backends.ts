import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase } from '../../src/bench/scratch-database.js';

/**
 * Where tests run: the embedded defaults always (PGlite in a temp dir, in-process state), and
 * real PostgreSQL and Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set (CI sets both).
 */
export interface Backend {
  name: 'embedded' | 'postgres+redis';
  /** Makes a database of its own for one test file; `drop` removes it. */
  createDatabase(): Promise<{ env: Record<string, string>; drop(): Promise<void> }>;
  /** REDIS_URL and a key prefix of its own, or nothing for the in-process store. */
  stateEnv(): Record<string, string>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || undefined;

const embedded: Backend = {
  name: 'embedded',
  async createDatabase() {
    const dir = mkdtempSync(join(tmpdir(), 'identity-test-'));
    return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
  stateEnv: () => ({}),
};

/** A fresh database on the PostgreSQL server of TEST_DATABASE_URL, dropped afterwards. */
export const createPostgresDatabase = (baseUrl: string) => createScratchDatabase(baseUrl, 'identity_test');

const real = (databaseUrl: string, redisUrl: string): Backend => ({
  name: 'postgres+redis',
  async createDatabase() {
    const dir = mkdtempSync(join(tmpdir(), 'identity-test-'));
    const db = await createPostgresDatabase(databaseUrl);
    return {
      env: { DATABASE_URL: db.url, DATA_DIR: dir },
      async drop() {
        await db.drop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  stateEnv: () => ({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:` }),
});

/** The backends this run covers; the real pair only when both URLs are set. */
export const backends: Backend[] = [
  embedded,
  ...(TEST_DATABASE_URL && TEST_REDIS_URL ? [real(TEST_DATABASE_URL, TEST_REDIS_URL)] : []),
];

if (process.env.TEST_REQUIRE_BACKENDS === '1' && (!TEST_DATABASE_URL || !TEST_REDIS_URL)) {
  throw new Error('TEST_REQUIRE_BACKENDS=1 but TEST_DATABASE_URL / TEST_REDIS_URL are not both set');
}

if (!TEST_DATABASE_URL || !TEST_REDIS_URL) {
  // Visible in the run's output, so a green run on embedded defaults alone is not mistaken for more.
  console.warn('[tests] TEST_DATABASE_URL / TEST_REDIS_URL not set: PostgreSQL and Redis cases are skipped');
}
