import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import type { GqlResponse } from '../helpers/client.js';
import { Browser, sessionEnv, uniqueEmail } from './helpers.js';
import { startPrivateRedis } from '../../src/bench/redis-server.js';

/** Generous for CI, yet far below "hangs for as long as the outage lasts". */
const BOUND_MS = 3_000;

/**
 * Redis, run by this test on its own port (never the shared server), paused and killed under a
 * running app: nothing is authenticated, every answer comes in bounded time, /readyz says which
 * dependency failed, and the app recovers by itself when Redis is back.
 */
describe.each(backends)('Redis outage in session mode on $name', (backend) => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    harness = await createHarness(backend);
    app = await harness.start(sessionEnv({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'outage:' }));
    await waitUntilReady();
  });
  afterAll(async () => {
    await harness?.stop();
    await redis?.kill();
  });

  async function readyz(): Promise<{ status: number; body: { failed: string[] } }> {
    const res = await app.client.raw('/readyz');
    return { status: res.status, body: (await res.json()) as { failed: string[] } };
  }

  async function waitUntilReady(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await readyz()).status !== 200) {
      if (Date.now() > deadline) throw new Error('app did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function timed(fn: () => Promise<GqlResponse>): Promise<GqlResponse & { ms: number }> {
    const started = performance.now();
    const res = await fn();
    return { ...res, ms: performance.now() - started };
  }

  function expectStateStoreDown(res: GqlResponse & { ms: number }) {
    expect(res.ms).toBeLessThan(BOUND_MS);
    expect(res.status).toBe(503);
    expect(res.body.data?.me ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', dependency: 'state store' });
  }

  it('uses the private Redis for sessions', async () => {
    const b = new Browser(app);
    await b.register(uniqueEmail('private'));
    expect(app.running.stateStore.kind).toBe('redis');
    expect(app.running.config.redisUrl).toBe(redis.url);
  });

  it('answers in bounded time and authenticates no one while Redis hangs, then resumes', async () => {
    const b = new Browser(app);
    const email = uniqueEmail('hang');
    await b.register(email);
    redis.pause();
    try {
      expectStateStoreDown(await timed(() => b.me()));
      expectStateStoreDown(await timed(() => b.sessions()));
      expectStateStoreDown(await timed(() => b.logout()));
      expectStateStoreDown(await timed(() => b.refresh()));
      expect((await new Browser(app).gql('{ authMode }')).body.data).toEqual({ authMode: 'SESSION' });
    } finally {
      redis.resume();
    }
    await waitUntilReady();
    // Nothing was changed by the refused requests: the same cookie still works.
    expect(await b.myEmail()).toBe(email);
  });

  // The login throttle reads the state store directly: RedisStateStore's own reply deadline
  // (node-redis's command timeout does not cover the wait for a reply) keeps this bounded.
  it('answers a login in bounded time while Redis hangs', async () => {
    const email = uniqueEmail('hang-login');
    await new Browser(app).register(email);
    redis.pause();
    try {
      const login = await timed(() => new Browser(app).login(email));
      expect(login.ms).toBeLessThan(BOUND_MS);
      expect(login.body.data).toBeNull();
    } finally {
      redis.resume();
    }
    await waitUntilReady();
  });

  it('fails closed while Redis is down, stays up, and recovers by itself when it returns', async () => {
    const b = new Browser(app);
    const email = uniqueEmail('down');
    await b.register(email);
    await redis.kill();

    expectStateStoreDown(await timed(() => b.me()));
    expectStateStoreDown(await timed(() => b.logout()));
    const login = await timed(() => new Browser(app).login(email));
    expect(login.ms).toBeLessThan(BOUND_MS);
    expect(login.body.data).toBeNull();
    expect(login.headers.getSetCookie()).toEqual([]);
    // No credential, no question for the store: such requests are simply anonymous.
    expect((await new Browser(app).me()).body).toEqual({ data: { me: null } });
    expect((await new Browser(app).gql('{ authMode }')).body.data).toEqual({ authMode: 'SESSION' });

    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body.failed).toEqual(['redis']);
    expect((await app.client.raw('/healthz')).status).toBe(200);

    await redis.restart();
    await waitUntilReady();
    // The restarted server kept nothing (no persistence): the old cookie names no session.
    expect(await b.myEmail()).toBeNull();
    const again = new Browser(app);
    expect((await again.login(email)).body.errors).toBeUndefined();
    expect(await again.myEmail()).toBe(email);
  });
});
