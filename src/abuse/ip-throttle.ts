import type { LimiterFactory } from './limiter-factory.js';
import { isOverLimit } from './limiter-factory.js';
import { keyOf, throttled, type LimitName } from './reservations.js';
import type { WindowLimit } from './settings.js';

/** Counts every attempt of one operation per client address; over the limit, RATE_LIMITED. */
export interface IpThrottle {
  /** Throws RATE_LIMITED before the operation does any work. */
  take(ip: string | null): Promise<void>;
}

/**
 * `register` and `refresh` per address. Every attempt counts, successful or not: mass account
 * creation and refresh floods are the abuse, whatever their outcome. Refused attempts add to
 * the count too, which is harmless: the window is fixed and does not grow with them.
 */
export function createIpThrottle(limiter: LimiterFactory, name: LimitName, limit: WindowLimit): IpThrottle {
  const counter = limiter({ name, ...limit });
  return {
    async take(ip) {
      try {
        await counter.consume(keyOf(ip ?? 'unknown'));
      } catch (error) {
        if (isOverLimit(error)) throw throttled(name, error.msBeforeNext);
        throw error;
      }
    },
  };
}
