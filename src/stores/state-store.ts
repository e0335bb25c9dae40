/**
 * Short-lived, rebuildable state shared by the instances of one deployment: session records,
 * per-user indexes, revocation notices, rate-limit counters. Two implementations: Redis, and
 * an in-process one for a single instance. Methods return plain values, never client types.
 * Every method either answers within the configured timeout or rejects with
 * StateStoreUnavailableError, so callers can fail closed instead of hanging.
 */
export interface StateStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  /** Sets a value; with `ttlMs` it disappears by itself after that long. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Deletes keys; answers how many existed. */
  del(...keys: string[]): Promise<number>;
  /** Remaining time to live in ms; -1 without expiry, -2 when the key does not exist. */
  ttl(key: string): Promise<number>;
  /** Adds members to a set; with `ttlMs` the whole set expires that long after this call. */
  sAdd(key: string, members: string[], ttlMs?: number): Promise<void>;
  sRem(key: string, members: string[]): Promise<void>;
  sMembers(key: string): Promise<string[]>;
  /** Increments a counter, starting its expiry window when it is created. */
  incr(key: string, ttlMs: number): Promise<number>;
  publish(channel: string, message: string): Promise<void>;
  /**
   * Listens on a channel. `onReady` runs once subscribed and again after every reconnection
   * (messages may have been missed meanwhile); `onDown` runs when the subscription is lost.
   */
  subscribe(channel: string, handlers: SubscriptionHandlers): Promise<() => Promise<void>>;
  /** Bytes the store uses for a key where it can tell (Redis MEMORY USAGE), else null. */
  memoryUsage(key: string): Promise<number | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface SubscriptionHandlers {
  onMessage(message: string): void;
  onReady?(): void;
  onDown?(): void;
}

export class StateStoreUnavailableError extends Error {
  override name = 'StateStoreUnavailableError';
}
