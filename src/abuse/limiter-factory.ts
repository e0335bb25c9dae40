import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClient } from '../stores/redis-state-store.js';

/** The few limiter operations the throttles use (a subset of rate-limiter-flexible's API). */
export interface Limiter {
  consume(key: string, points?: number, options?: { customDuration?: number }): Promise<RateLimiterRes>;
  penalty(key: string, points?: number): Promise<RateLimiterRes>;
  reward(key: string, points?: number): Promise<RateLimiterRes>;
  get(key: string): Promise<RateLimiterRes | null>;
  /** Fills the key for `seconds`: every consume until then is refused. */
  block(key: string, seconds: number): Promise<RateLimiterRes>;
  delete(key: string): Promise<boolean>;
}

export interface LimiterSpec {
  /** Distinguishes this limiter's keys from the others'. */
  name: string;
  points: number;
  windowMs: number;
}

export type LimiterFactory = (spec: LimiterSpec) => Limiter;

export interface LimiterFactoryOptions {
  /** The raw node-redis client when REDIS_URL is set; in-process counters otherwise. */
  redis: RedisClient | undefined;
  keyPrefix: string;
  /** Bound on each Redis round trip; past it the in-process insurance limiter answers. */
  timeoutMs: number;
}

/** After a Redis call times out, limiters answer in process for this long before trying again. */
const BREAKER_OPEN_MS = 5_000;
/** Limiter calls are one small script each: a Redis that takes longer than this is not well. */
const MAX_CALL_MS = 500;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1_000));

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, with an Error otherwise. */
export const isOverLimit = (value: unknown): value is RateLimiterRes => value instanceof RateLimiterRes;

/**
 * Counters live in the state store so every instance sees the same ones. With Redis, an
 * outage falls back to the in-process insurance limiter: limits become per instance for the
 * duration, rather than failing open (no limit) or closed (nobody can sign in).
 *
 * - Redis refuses or is disconnected: rate-limiter-flexible's `insuranceLimiter` answers at
 *   once (the client's offline queue is off).
 * - Redis accepts but does not answer: node-redis has no deadline on these commands, so each
 *   call gets one here; a call past it trips a breaker shared by every limiter of the app, and
 *   for the next few seconds they answer in process without asking Redis. One login then
 *   waits for at most one deadline, not one per counter.
 */
export function createLimiterFactory({ redis, keyPrefix, timeoutMs }: LimiterFactoryOptions): LimiterFactory {
  let openUntil = 0;
  const deadlineMs = Math.min(timeoutMs, MAX_CALL_MS);
  return ({ name, points, windowMs }) => {
    const base = { points, duration: seconds(windowMs), keyPrefix: `${keyPrefix}rl:${name}` };
    const memory = new RateLimiterMemory(base);
    if (!redis) return memory as Limiter;
    const store = new RateLimiterRedis({ ...base, storeClient: redis, useRedisPackage: true, rejectIfRedisNotReady: true, insuranceLimiter: memory });

    async function call<K extends keyof Limiter>(op: K, ...args: Parameters<Limiter[K]>): Promise<Awaited<ReturnType<Limiter[K]>>> {
      type Fn = (...a: Parameters<Limiter[K]>) => Promise<Awaited<ReturnType<Limiter[K]>>>;
      const inProcess = () => (memory[op] as unknown as Fn).apply(memory, args);
      if (Date.now() < openUntil) return inProcess();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deadlineMs)));
      const answer = (store[op] as unknown as Fn).apply(store, args);
      answer.catch(() => {}); // a late rejection must not go unhandled
      try {
        const first = await Promise.race([answer, late]);
        if (first !== 'late') return first;
        openUntil = Date.now() + BREAKER_OPEN_MS;
        return inProcess();
      } finally {
        clearTimeout(timer);
      }
    }

    return {
      consume: (key, pts = 1, options = {}) => call('consume', key, pts, options),
      penalty: (key, pts = 1) => call('penalty', key, pts),
      reward: (key, pts = 1) => call('reward', key, pts),
      get: (key) => call('get', key),
      block: (key, secs) => call('block', key, secs),
      delete: (key) => call('delete', key),
    };
  };
}
