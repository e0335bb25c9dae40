import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIpThrottle } from '../../src/abuse/ip-throttle.js';
import { createLimiterFactory, type Limiter, type LimiterFactory } from '../../src/abuse/limiter-factory.js';
import { createLoginThrottle, type LoginThrottle } from '../../src/abuse/login-throttle.js';
import { keyOf } from '../../src/abuse/reservations.js';
import { loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { MemoryStateStore } from '../../src/stores/memory-state-store.js';
import { RedisStateStore, type RedisClient } from '../../src/stores/redis-state-store.js';
import { createClient } from 'redis';
import type { StateStore } from '../../src/stores/state-store.js';
import { TEST_REDIS_URL } from '../helpers/backends.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

interface Store {
  state: StateStore;
  redis: RedisStateStore | undefined;
  prefix: string;
}

const waitFor = async (check: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error('not ready in time');
  }
};

const stores: Array<[string, () => Promise<Store>]> = [['memory', async () => ({ state: new MemoryStateStore(), redis: undefined, prefix: 'unit:' })]];
if (TEST_REDIS_URL) {
  stores.push(['redis', async () => {
    const prefix = `test:${randomBytes(6).toString('hex')}:`;
    const redis = new RedisStateStore({ url: TEST_REDIS_URL!, timeoutMs: 1_000, keyPrefix: prefix });
    redis.connect();
    await waitFor(() => redis.isReady, 5_000);
    return { state: redis, redis, prefix };
  }]);
}

/** A limiter factory that also hands the test each limiter by name, to read its counters. */
function observed(factory: LimiterFactory) {
  const byName = new Map<string, Limiter>();
  const make: LimiterFactory = (spec) => {
    const limiter = factory(spec);
    byName.set(spec.name, limiter);
    return limiter;
  };
  return { make, counter: async (name: string, ...key: string[]) => (await byName.get(name)!.get(keyOf(...key)))?.consumedPoints ?? 0 };
}

/** Runs one begin/outcome cycle: 'ok', 'bad' (wrong password) or the RATE_LIMITED retryAfter. */
async function attempt(throttle: LoginThrottle, email: string, ip: string, outcome: 'ok' | 'bad' = 'bad') {
  try {
    const a = await throttle.begin(email, ip);
    await (outcome === 'ok' ? a.succeeded() : a.failed());
    return outcome;
  } catch (error) {
    if (error instanceof AppError && error.code === 'RATE_LIMITED') return `limited:${error.retryAfter}`;
    throw error;
  }
}

describe.each(stores)('login throttle on %s', (_name, makeStore) => {
  let store: Store;
  let n = 0;
  const email = () => `victim${n++}.${randomBytes(3).toString('hex')}@example.com`;
  const build = (env: Record<string, string>) => {
    const config = loadConfig({ LOGIN_BACKOFF_BASE: '2s', ...env });
    const obs = observed(createLimiterFactory({ redis: store.redis?.client, keyPrefix: store.prefix, timeoutMs: 1_000 }));
    return { throttle: createLoginThrottle({ limits: config.limits, limiter: obs.make, stateStore: store.state }), obs, config };
  };
  beforeAll(async () => {
    store = await makeStore();
  });
  afterAll(async () => store.state.close());

  it('blocks an account and address pair after the free failures, with a delay that doubles', async () => {
    const { throttle } = build({ LOGIN_FREE_FAILURES: '3' });
    const who = email();
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await attempt(throttle, who, '203.0.113.1'));
    expect(results.slice(0, 3)).toEqual(['bad', 'bad', 'bad']);
    expect(results.slice(3)).toEqual(['limited:2', 'limited:2', 'limited:2']);
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await attempt(throttle, who, '203.0.113.1')).toBe('bad');
    // The fourth failure blocks for twice the base delay.
    expect(await attempt(throttle, who, '203.0.113.1')).toBe('limited:4');
  });

  it('does not count refused attempts as failures: hammering barely moves the account counter', async () => {
    const { throttle, obs } = build({ LOGIN_FREE_FAILURES: '5', LOGIN_BACKOFF_BASE: '1h' });
    const who = email();
    for (let i = 0; i < 100; i++) await attempt(throttle, who, '203.0.113.2');
    expect(await obs.counter('login_fails_account', who)).toBe(5);
    expect(await obs.counter('login_fails_account_ip', who, '203.0.113.2')).toBe(5);
    expect(await obs.counter('login_fails_ip', '203.0.113.2')).toBe(5);
  });

  it('runs at most the free attempts when they arrive all at once', async () => {
    const { throttle } = build({ LOGIN_FREE_FAILURES: '5', LOGIN_BACKOFF_BASE: '1h' });
    const who = email();
    const begun = await Promise.allSettled(Array.from({ length: 40 }, () => throttle.begin(who, '203.0.113.3')));
    // Five free ones, plus at most the one a gate lets through before the first block lands.
    const allowed = begun.filter((r) => r.status === 'fulfilled').length;
    expect(allowed).toBeGreaterThanOrEqual(5);
    expect(allowed).toBeLessThanOrEqual(6);
  });

  it('limits failures per account from any address, but not from an address the owner signed in from', async () => {
    const { throttle } = build({ LOGIN_FREE_FAILURES: '50', LOGIN_ACCOUNT_MAX_FAILURES: '4' });
    const who = email();
    expect(await attempt(throttle, who, '198.51.100.10', 'ok')).toBe('ok');
    for (let i = 0; i < 4; i++) expect(await attempt(throttle, who, `203.0.113.${10 + i}`)).toBe('bad');
    expect(await attempt(throttle, who, '203.0.113.99')).toMatch(/^limited:\d+$/);
    expect(await attempt(throttle, who, '192.0.2.1', 'ok')).toMatch(/^limited:/);
    // The owner's usual address is exempt from the account-wide limit.
    expect(await attempt(throttle, who, '198.51.100.10', 'ok')).toBe('ok');
  });

  it('limits failures per address across accounts (password spraying)', async () => {
    const { throttle } = build({ LOGIN_IP_MAX_FAILURES: '3' });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await attempt(throttle, email(), '203.0.113.50'));
    expect(results.slice(0, 3)).toEqual(['bad', 'bad', 'bad']);
    expect(results[3]).toMatch(/^limited:/);
    expect(await attempt(throttle, email(), '203.0.113.51')).toBe('bad');
  });

  it('resets the pair and refunds the counters on success', async () => {
    const { throttle, obs } = build({ LOGIN_FREE_FAILURES: '3' });
    const who = email();
    await attempt(throttle, who, '203.0.113.60');
    await attempt(throttle, who, '203.0.113.60');
    expect(await attempt(throttle, who, '203.0.113.60', 'ok')).toBe('ok');
    expect(await obs.counter('login_fails_account_ip', who, '203.0.113.60')).toBe(0);
    expect(await obs.counter('login_fails_account', who)).toBe(2);
    expect(await obs.counter('login_fails_ip', '203.0.113.60')).toBe(2);
    for (let i = 0; i < 3; i++) expect(await attempt(throttle, who, '203.0.113.60')).toBe('bad');
  });

  it('counts nothing when the password check could not run (database down)', async () => {
    const { throttle, obs } = build({});
    const who = email();
    await (await throttle.begin(who, '203.0.113.95')).abandon();
    expect(await obs.counter('login_fails_account_ip', who, '203.0.113.95')).toBe(0);
    expect(await obs.counter('login_fails_account', who)).toBe(0);
    expect(await obs.counter('login_fails_ip', '203.0.113.95')).toBe(0);
  });

  it('keeps its counters in the shared store (Redis when configured), under the key prefix', async () => {
    const { throttle } = build({});
    await attempt(throttle, email(), '203.0.113.90');
    if (!store.redis) return;
    const keys = await store.redis.client.keys(`${store.prefix}rl:*`);
    expect(keys.some((k) => k.startsWith(`${store.prefix}rl:login_fails_account:`))).toBe(true);
    expect(keys.join(' ')).not.toMatch(/@example\.com|203\.0\.113/);
  });

  it('limits register and refresh per address, counting every attempt', async () => {
    const { obs, config } = build({ REGISTER_IP_LIMIT: '3' });
    const register = createIpThrottle(obs.make, 'register_ip', config.limits.registerIp);
    for (let i = 0; i < 3; i++) await register.take('203.0.113.70');
    await expect(register.take('203.0.113.70')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfter: 3600 });
    await register.take('203.0.113.71');
  });
});

describe('login throttle when Redis is down', () => {
  it('falls back to per-instance limits instead of failing open or refusing everyone', async () => {
    const redis = new RedisStateStore({ url: 'redis://127.0.0.1:1', timeoutMs: 200, keyPrefix: 'down:' });
    redis.connect();
    try {
      const config = loadConfig({ LOGIN_FREE_FAILURES: '2' });
      const limiter = createLimiterFactory({ redis: redis.client, keyPrefix: 'down:', timeoutMs: 200 });
      const throttle = createLoginThrottle({ limits: config.limits, limiter, stateStore: redis, onStoreError: () => {} });
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await attempt(throttle, 'someone@example.com', '203.0.113.80'));
      expect(results).toEqual(['bad', 'bad', 'limited:30', 'limited:30']);
    } finally {
      await redis.close();
    }
  });
});

describe.runIf(TEST_REDIS_URL)('login throttle when Redis accepts but never answers', () => {
  it('waits for one deadline, then limits in process without asking Redis for a while', async () => {
    const target = new URL(TEST_REDIS_URL!);
    const proxy = await startTcpProxy(Number(target.port || 6379), target.hostname);
    const prefix = `test:${randomBytes(6).toString('hex')}:`;
    const client = createClient({ url: `redis://127.0.0.1:${proxy.port}`, disableOfflineQueue: true });
    client.on('error', () => {});
    await client.connect();
    try {
      const config = loadConfig({ LOGIN_FREE_FAILURES: '2' });
      const limiter = createLimiterFactory({ redis: client as RedisClient, keyPrefix: prefix, timeoutMs: 1_000 });
      const throttle = createLoginThrottle({ limits: config.limits, limiter, stateStore: new MemoryStateStore() });
      proxy.pause();
      const times: number[] = [];
      const results = [];
      for (let i = 0; i < 4; i++) {
        const started = performance.now();
        results.push(await attempt(throttle, 'hung@example.com', '203.0.113.81'));
        times.push(performance.now() - started);
      }
      expect(results).toEqual(['bad', 'bad', 'limited:30', 'limited:30']);
      // The first call waits for one deadline (500 ms); the breaker then answers at once.
      expect(times[0]).toBeGreaterThanOrEqual(450);
      expect(times[0]).toBeLessThan(1_500);
      expect(Math.max(...times.slice(1))).toBeLessThan(100);
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });
});
