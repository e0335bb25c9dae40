import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../src/stores/memory-state-store.js';
import { RedisStateStore } from '../../src/stores/redis-state-store.js';
import type { StateStore } from '../../src/stores/state-store.js';
import { TEST_REDIS_URL } from '../helpers/backends.js';

const waitFor = async (check: () => boolean | Promise<boolean>, ms = 2_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const implementations: Array<[string, () => Promise<StateStore>]> = [
  ['memory', async () => new MemoryStateStore()],
];
const redisUrl = TEST_REDIS_URL;
if (redisUrl) {
  implementations.push([
    'redis',
    async () => {
      const store = new RedisStateStore({ url: redisUrl, timeoutMs: 1_000, keyPrefix: `test:${randomBytes(6).toString('hex')}:` });
      store.connect();
      await waitFor(() => store.isReady, 5_000);
      return store;
    },
  ]);
} else {
  describe.skip('redis state store (TEST_REDIS_URL not set)', () => it('skipped', () => {}));
}

/** One contract, every implementation: what the strategies may rely on. */
describe.each(implementations)('state store contract: %s', (_name, make) => {
  let store: StateStore;
  beforeAll(async () => {
    store = await make();
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores, reads and deletes values', async () => {
    expect(await store.get('k1')).toBeNull();
    await store.set('k1', 'v1');
    expect(await store.get('k1')).toBe('v1');
    expect(await store.ttl('k1')).toBe(-1);
    expect(await store.del('k1', 'absent')).toBe(1);
    expect(await store.get('k1')).toBeNull();
    expect(await store.ttl('k1')).toBe(-2);
  });

  it('expires values after their TTL', async () => {
    await store.set('short', 'v', 80);
    const ttl = await store.ttl('short');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(80);
    await waitFor(async () => (await store.get('short')) === null);
    expect(await store.ttl('short')).toBe(-2);
  });

  it('keeps sets, removes members and expires the set', async () => {
    await store.sAdd('set', ['a', 'b', 'c'], 10_000);
    await store.sRem('set', ['b']);
    expect((await store.sMembers('set')).sort()).toEqual(['a', 'c']);
    await store.sAdd('set-short', ['x'], 80);
    await waitFor(async () => (await store.sMembers('set-short')).length === 0);
    expect(await store.sMembers('never')).toEqual([]);
  });

  it('counts within a window that starts at the first increment', async () => {
    expect(await store.incr('ctr', 100)).toBe(1);
    expect(await store.incr('ctr', 100)).toBe(2);
    const ttl = await store.ttl('ctr');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100);
    await waitFor(async () => (await store.get('ctr')) === null);
    expect(await store.incr('ctr', 100)).toBe(1);
  });

  it('delivers published messages to subscribers, and stops after unsubscribe', async () => {
    const got: string[] = [];
    let ready = 0;
    const unsubscribe = await store.subscribe('chan', { onMessage: (m) => got.push(m), onReady: () => ready++ });
    await waitFor(() => ready > 0);
    await store.publish('chan', 'hello');
    await waitFor(() => got.length === 1);
    expect(got).toEqual(['hello']);
    await unsubscribe();
    await store.publish('chan', 'after');
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual(['hello']);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('in-process store with an injected clock', () => {
  it('expires by the injected clock, not wall time', async () => {
    let now = 1_000_000;
    const store = new MemoryStateStore({ now: () => now });
    await store.set('k', 'v', 1_000);
    now += 999;
    expect(await store.get('k')).toBe('v');
    now += 1;
    expect(await store.get('k')).toBeNull();
    await store.close();
  });
});

describe('redis store when the server does not answer', () => {
  it('rejects at once instead of queueing commands', async () => {
    // Port 1 on loopback: nothing listens, so the client can never become ready.
    const store = new RedisStateStore({ url: 'redis://127.0.0.1:1', timeoutMs: 200, keyPrefix: 'x:' });
    store.connect();
    const started = Date.now();
    await expect(store.get('k')).rejects.toThrow(/not connected/);
    await expect(store.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
    await store.close();
  });
});
