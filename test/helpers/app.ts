import { randomBytes } from 'node:crypto';
import { createApp, type AppOverrides, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/clock.js';
import type { Backend } from './backends.js';
import { createClient } from './client.js';

/** A clock tests move by hand: expiry without sleeping. */
export class TestClock implements Clock {
  constructor(private ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}

/** Fast argon2 for tests that are not about hashing; the parameters are configuration. */
export const FAST_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };

/**
 * Suites register many users and refresh often, all from 127.0.0.1: per-address limits are
 * raised for them. Tests about limits (test/abuse) set the ones they exercise.
 */
export const RELAXED_LIMITS = { REGISTER_IP_LIMIT: '1000000', REFRESH_IP_LIMIT: '1000000', LOGIN_IP_MAX_FAILURES: '1000000' };

export interface TestApp {
  running: RunningApp;
  url: string;
  client: ReturnType<typeof createClient>;
  stop(): Promise<void>;
}

/** Builds the real app through the composition root, on 127.0.0.1 and an ephemeral port. */
export async function startApp(
  env: Record<string, string>,
  overrides: AppOverrides = {},
  { waitReady = true } = {},
): Promise<TestApp> {
  const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', ...FAST_ARGON2, ...RELAXED_LIMITS, ...env });
  const running = createApp(config, overrides);
  const url = await running.start();
  if (waitReady) await Promise.race([
    running.ready(),
    new Promise((_, reject) => setTimeout(() => reject(new Error('app not ready within 30 s')), 30_000).unref()),
  ]);
  return { running, url, client: createClient(url), stop: () => running.stop() };
}

/**
 * One database per test file on the given backend, and apps on it. `stop` stops every app
 * started here and drops the database.
 */
export async function createHarness(backend: Backend) {
  const db = await backend.createDatabase();
  // Instances of one deployment share its secrets, as the contract requires.
  const state = { ...backend.stateEnv(), KEY_ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  const apps: TestApp[] = [];
  return {
    backend: backend.name,
    env: { ...db.env, ...state },
    async start(env: Record<string, string> = {}, overrides: AppOverrides = {}, options: { waitReady?: boolean } = {}) {
      const app = await startApp({ ...db.env, ...state, ...env }, overrides, options);
      apps.push(app);
      return app;
    },
    /**
     * A second instance of the same deployment. On real backends it opens its own connections
     * to the same PostgreSQL and Redis; embedded, it shares the first one's PGlite and
     * in-process store objects (one process, as close as embedded gets).
     */
    async startPeer(of: TestApp, env: Record<string, string> = {}, overrides: AppOverrides = {}) {
      const shared: AppOverrides =
        backend.name === 'embedded' ? { database: of.running.database, stateStore: of.running.stateStore } : {};
      const app = await startApp({ ...db.env, ...state, ...env }, { ...shared, ...overrides });
      apps.push(app);
      return app;
    },
    async stop() {
      // Peers that borrowed a database or store stop first; owners close them last.
      for (const app of apps.splice(0).reverse()) await app.stop().catch(() => {});
      await db.drop();
    },
  };
}
