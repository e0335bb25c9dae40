import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from '../clock.js';
import type { StateStore, SubscriptionHandlers } from './state-store.js';

interface Entry {
  value: string | Set<string> | number;
  expiresAt: number | null;
}

/**
 * The embedded default: state in this process only. TTLs really expire (checked on every read
 * and swept once a second so memory does not grow), but nothing is shared with another
 * instance and everything is lost on restart.
 */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly bus = new EventEmitter().setMaxListeners(0);
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly clock: Clock = systemClock) {
    this.sweeper = setInterval(() => this.sweep(), 1_000).unref();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) this.entries.delete(key);
    }
  }

  private expiry(ttlMs: number | undefined): number | null {
    return ttlMs === undefined ? null : this.clock.now() + ttlMs;
  }

  async get(key: string): Promise<string | null> {
    const value = this.live(key)?.value;
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.expiry(ttlMs) });
  }

  async del(...keys: string[]): Promise<number> {
    let count = 0;
    for (const key of keys) if (this.live(key) && this.entries.delete(key)) count++;
    return count;
  }

  async ttl(key: string): Promise<number> {
    const entry = this.live(key);
    if (!entry) return -2;
    return entry.expiresAt === null ? -1 : entry.expiresAt - this.clock.now();
  }

  async sAdd(key: string, members: string[], ttlMs?: number): Promise<void> {
    const entry = this.live(key);
    const set = entry?.value instanceof Set ? entry.value : new Set<string>();
    for (const m of members) set.add(m);
    this.entries.set(key, { value: set, expiresAt: ttlMs === undefined ? (entry?.expiresAt ?? null) : this.expiry(ttlMs) });
  }

  async sRem(key: string, members: string[]): Promise<void> {
    const value = this.live(key)?.value;
    if (!(value instanceof Set)) return;
    for (const m of members) value.delete(m);
    if (value.size === 0) this.entries.delete(key);
  }

  async sMembers(key: string): Promise<string[]> {
    const value = this.live(key)?.value;
    return value instanceof Set ? [...value] : [];
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const entry = this.live(key);
    const next = (typeof entry?.value === 'number' ? entry.value : 0) + 1;
    this.entries.set(key, { value: next, expiresAt: entry ? entry.expiresAt : this.expiry(ttlMs) });
    return next;
  }

  async publish(channel: string, message: string): Promise<void> {
    // Delivered on a later tick, as a network broker would, never inside the publisher's call.
    setImmediate(() => this.bus.emit(channel, message));
  }

  async subscribe(channel: string, handlers: SubscriptionHandlers): Promise<() => Promise<void>> {
    const listener = (message: string) => handlers.onMessage(message);
    this.bus.on(channel, listener);
    handlers.onReady?.();
    return async () => void this.bus.off(channel, listener);
  }

  async memoryUsage(): Promise<number | null> {
    return null;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.bus.removeAllListeners();
  }

  /** Number of live keys (for the comparison report). */
  size(): number {
    this.sweep();
    return this.entries.size;
  }
}
