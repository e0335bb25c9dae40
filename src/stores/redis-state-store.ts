import { createClient } from 'redis';
import type { StateStore, SubscriptionHandlers } from './state-store.js';
import { StateStoreUnavailableError } from './state-store.js';
import { withDeadline } from './deadline.js';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisStateStoreOptions {
  url: string;
  /** Bound on every command; past it the caller gets StateStoreUnavailableError. */
  timeoutMs: number;
  /** Namespace for every key and channel, so deployments (and test files) can share a server. */
  keyPrefix: string;
  onError?: (error: Error) => void;
}

/**
 * State in Redis, shared by every instance. node-redis queues commands while disconnected
 * and would hold requests for as long as the outage lasts; the offline queue is off and every
 * command has a deadline (withDeadline: node-redis's own timeout only covers the wait to be
 * sent, not a server that stops answering), so an outage answers within the bound and the
 * caller fails closed. The client
 * reconnects by itself (capped back-off) and the service recovers without a restart.
 */
export class RedisStateStore implements StateStore {
  readonly kind = 'redis' as const;
  /** The raw client, for the composition root only (connect-redis, rate limiter). */
  readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly cmd: RedisClient;
  private readonly timeoutMs: number;
  readonly keyPrefix: string;

  constructor(options: RedisStateStoreOptions) {
    this.keyPrefix = options.keyPrefix;
    this.timeoutMs = options.timeoutMs;
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(options.timeoutMs, 1_000),
        reconnectStrategy: (retries) => Math.min(50 * 2 ** Math.min(retries, 6), 2_000),
      },
    });
    // A silent partition (no reset, no FIN) would leave the subscription looking healthy
    // forever; a PING every second lets it fail, so revocation checks fail closed in time.
    this.subscriber = this.client.duplicate({ pingInterval: 1_000 });
    const onError = (error: Error) => options.onError?.(error);
    // Without an 'error' listener node-redis would crash the process on a dropped connection.
    this.client.on('error', onError);
    this.subscriber.on('error', onError);
    this.cmd = this.client.withCommandOptions({ timeout: options.timeoutMs }) as RedisClient;
  }

  private k(key: string): string {
    return this.keyPrefix + key;
  }

  /** Starts connecting in the background; the service boots even if Redis is down. */
  connect(): void {
    this.client.connect().catch(() => {});
    this.subscriber.connect().catch(() => {});
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.client.isReady) throw new StateStoreUnavailableError('Redis is not connected');
    try {
      return await withDeadline(fn(), this.timeoutMs);
    } catch (error) {
      if (error instanceof StateStoreUnavailableError) throw error;
      throw new StateStoreUnavailableError(`Redis command failed: ${(error as Error).message}`, { cause: error });
    }
  }

  get(key: string) {
    return this.run(() => this.cmd.get(this.k(key)));
  }

  async set(key: string, value: string, ttlMs?: number) {
    await this.run(() =>
      ttlMs === undefined
        ? this.cmd.set(this.k(key), value)
        : this.cmd.set(this.k(key), value, { expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) } }),
    );
  }

  del(...keys: string[]) {
    return keys.length === 0 ? Promise.resolve(0) : this.run(() => this.cmd.del(keys.map((key) => this.k(key))));
  }

  ttl(key: string) {
    return this.run(() => this.cmd.pTTL(this.k(key)));
  }

  async sAdd(key: string, members: string[], ttlMs?: number) {
    if (members.length === 0) return;
    await this.run(async () => {
      const multi = this.cmd.multi().sAdd(this.k(key), members);
      if (ttlMs !== undefined) multi.pExpire(this.k(key), Math.max(1, Math.ceil(ttlMs)));
      await multi.exec();
    });
  }

  async sRem(key: string, members: string[]) {
    if (members.length === 0) return;
    await this.run(() => this.cmd.sRem(this.k(key), members));
  }

  sMembers(key: string) {
    return this.run(() => this.cmd.sMembers(this.k(key)));
  }

  incr(key: string, ttlMs: number) {
    return this.run(async () => {
      const [count] = await this.cmd.multi().incr(this.k(key)).pExpire(this.k(key), Math.max(1, Math.ceil(ttlMs)), 'NX').exec();
      return Number(count);
    });
  }

  async publish(channel: string, message: string) {
    await this.run(() => this.cmd.publish(this.k(channel), message));
  }

  async subscribe(channel: string, handlers: SubscriptionHandlers): Promise<() => Promise<void>> {
    const listener = (message: string) => handlers.onMessage(message);
    let subscribed = false;
    // node-redis resubscribes by itself after a reconnection, but only to channels it was
    // subscribed to while connected: the first subscription waits for a ready socket.
    const onReady = () => {
      if (subscribed) return handlers.onReady?.();
      this.subscriber.subscribe(this.k(channel), listener).then(
        () => {
          subscribed = true;
          handlers.onReady?.();
        },
        () => handlers.onDown?.(),
      );
    };
    const onDown = () => handlers.onDown?.();
    this.subscriber.on('ready', onReady);
    this.subscriber.on('end', onDown);
    this.subscriber.on('reconnecting', onDown);
    if (this.subscriber.isReady) onReady();
    else onDown();
    return async () => {
      this.subscriber.off('ready', onReady);
      this.subscriber.off('end', onDown);
      this.subscriber.off('reconnecting', onDown);
      // After close() node-redis never settles an unsubscribe; there is nothing left to undo.
      if (subscribed && this.subscriber.isOpen) {
        await withDeadline(this.subscriber.unsubscribe(this.k(channel), listener), this.timeoutMs).catch(() => {});
      }
    };
  }

  memoryUsage(key: string) {
    return this.run(async () => (await this.cmd.memoryUsage(this.k(key))) ?? null);
  }

  async ping() {
    await this.run(() => this.cmd.ping());
  }

  async close() {
    await Promise.allSettled([this.client.close(), this.subscriber.close()]);
  }
}
