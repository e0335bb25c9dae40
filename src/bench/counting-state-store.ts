import type { StateStore } from '../stores/state-store.js';

/** Calls per StateStore method; each call is one round trip on a networked store. */
export type StoreCalls = Record<string, number> & { total: number };

export interface CountingStateStore {
  /** Pass this as `overrides.stateStore`; it behaves exactly as the wrapped store. */
  readonly store: StateStore;
  snapshot(): StoreCalls;
  /** Calls by the first name segment of the key they touch (`sess`, `login`…). */
  kinds(): Record<string, number>;
}

/** Methods that are not round trips a request makes: lifecycle and report helpers. */
const UNCOUNTED = new Set(['close', 'memoryUsage', 'size', 'constructor']);

/**
 * Wraps a StateStore and counts every method call, so compare can tell the round trips a
 * request makes to the in-process store. A Proxy rather than a class, so methods added to
 * the interface later are counted without touching this file.
 */
export function createCountingStateStore<T extends StateStore>(inner: T): CountingStateStore & { store: T } {
  const calls: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || UNCOUNTED.has(prop)) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        calls[prop] = (calls[prop] ?? 0) + 1;
        const kind = typeof args[0] === 'string' ? args[0].split(':')[0] || 'other' : 'other';
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        return value.apply(target, args);
      };
    },
  });
  return {
    store,
    snapshot: () => ({ ...calls, total: Object.values(calls).reduce((a, b) => a + b, 0) }),
    kinds: () => ({ ...byKind }),
  };
}

/** Per-operation calls between two snapshots. */
export function diffCalls(after: StoreCalls, before: StoreCalls, per = 1): StoreCalls {
  const out: Record<string, number> = {};
  for (const key of Object.keys(after)) {
    const d = (after[key]! - (before[key] ?? 0)) / per;
    if (d !== 0) out[key] = d;
  }
  return { ...out, total: (after.total - before.total) / per };
}
