import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Clock } from '../../clock.js';
import type { RedisClient } from '../../stores/redis-state-store.js';
import { StateStoreUnavailableError } from '../../stores/state-store.js';
import { withDeadline } from '../../stores/deadline.js';
import type { SessionBackend } from './session-backend.js';
import { remainingMs } from './session-backend.js';
import { parseRecord, pickRecord, type SessionRecord, type SessionTimeouts } from './session-record.js';

export interface RedisSessionBackendOptions {
  /** The state store's client: offline queue disabled, so an outage fails at once. */
  client: RedisClient;
  /** The state store's key prefix + 'sess:', so both name a session's key the same way. */
  prefix: string;
  /** The deadline for each command, as for every other state-store command. */
  commandTimeoutMs: number;
  timeouts: SessionTimeouts;
  clock: Clock;
}

/**
 * Session records in Redis through connect-redis 9. Its key TTL (seconds, rounded up) is the
 * session's remaining life, idle or absolute, whichever ends first; touches are ours (the
 * throttled `lastUsedAt` write), so connect-redis's own EXPIRE-per-request touch is off.
 */
export function createRedisSessionBackend(options: RedisSessionBackendOptions): SessionBackend {
  const { timeouts, clock } = options;
  // The command timeout bounds the wait to be sent; `bounded` below also bounds the reply.
  const client = options.client.withCommandOptions({ timeout: options.commandTimeoutMs }) as RedisClient;
  const common = {
    prefix: options.prefix,
    ttl: (sess: SessionData) => Math.ceil(remainingMs(sess, timeouts, clock) / 1000),
    disableTouch: true,
    // A malformed value reads as "no session", not as an outage.
    serializer: { parse: (text: string) => parseRecord(text) as SessionData, stringify: (s: SessionData) => JSON.stringify(s) },
  };
  const store = new RedisStore({ client, ...common });
  // connect-redis writes with a plain SET. A touch must not recreate a session deleted while
  // its request ran (logout, revoke, rotation elsewhere), so touches go through a client whose
  // SET only replaces a key that still exists (XX), atomically in Redis.
  const replaceOnly = {
    set: (key: string, value: string, opts: object) => client.set(key, value, { ...opts, condition: 'XX' }),
    del: (keys: string[]) => client.del(keys),
  };
  const replacer = new RedisStore({ client: replaceOnly, ...common });

  const run = <T>(fn: () => Promise<T>) => bounded(fn, options.commandTimeoutMs);
  return {
    get: (hash) => run(async () => pickRecord(((await store.get(hash)) ?? {}) as Partial<SessionRecord>)),
    create: (hash, record) => run(() => store.set(hash, record as unknown as SessionData)),
    update: (hash, record) => run(() => replacer.set(hash, record as unknown as SessionData)),
    destroy: (hash) => run(() => store.destroy(hash)),
  };
}

/** node-redis errors (offline, closed, timeout) become the state store's one outage error. */
async function bounded<T>(fn: () => Promise<T>, ms: number): Promise<T> {
  try {
    return await withDeadline(fn(), ms);
  } catch (error) {
    if (error instanceof StateStoreUnavailableError) throw error;
    throw new StateStoreUnavailableError(`Redis session store: ${(error as Error).message}`, { cause: error });
  }
}
