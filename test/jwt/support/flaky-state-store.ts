import { MemoryStateStore } from '../../../src/stores/memory-state-store.js';
import { StateStoreUnavailableError, type StateStore, type SubscriptionHandlers } from '../../../src/stores/state-store.js';

/**
 * The in-process store with an off switch, so the embedded backend can rehearse a state-store
 * outage: while down every command fails at once (as the Redis store does with its offline
 * queue disabled), subscribers are told `onDown`, and messages are lost; `revive` tells them
 * `onReady`, as a reconnection would.
 */
export class FlakyStateStore implements StateStore {
  readonly kind = 'memory' as const;
  private readonly inner = new MemoryStateStore();
  private readonly handlers = new Set<SubscriptionHandlers>();
  private down = false;

  kill(): void {
    this.down = true;
    for (const h of this.handlers) h.onDown?.();
  }

  revive(): void {
    this.down = false;
    for (const h of this.handlers) h.onReady?.();
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.down) throw new StateStoreUnavailableError('state store is down (test)');
    return fn();
  }

  get = (key: string) => this.run(() => this.inner.get(key));
  set = (key: string, value: string, ttlMs?: number) => this.run(() => this.inner.set(key, value, ttlMs));
  del = (...keys: string[]) => this.run(() => this.inner.del(...keys));
  ttl = (key: string) => this.run(() => this.inner.ttl(key));
  sAdd = (key: string, members: string[], ttlMs?: number) => this.run(() => this.inner.sAdd(key, members, ttlMs));
  sRem = (key: string, members: string[]) => this.run(() => this.inner.sRem(key, members));
  sMembers = (key: string) => this.run(() => this.inner.sMembers(key));
  incr = (key: string, ttlMs: number) => this.run(() => this.inner.incr(key, ttlMs));
  publish = (channel: string, message: string) => this.run(() => this.inner.publish(channel, message));
  memoryUsage = (_key: string) => this.run(() => this.inner.memoryUsage());
  ping = () => this.run(() => this.inner.ping());

  async subscribe(channel: string, handlers: SubscriptionHandlers): Promise<() => Promise<void>> {
    this.handlers.add(handlers);
    const off = await this.inner.subscribe(channel, {
      onMessage: (message) => {
        if (!this.down) handlers.onMessage(message);
      },
    });
    if (this.down) handlers.onDown?.();
    else handlers.onReady?.();
    return async () => {
      this.handlers.delete(handlers);
      await off();
    };
  }

  close = () => this.inner.close();
}
