import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Throttles } from '../services/auth-service.js';
import type { RedisClient } from '../stores/redis-state-store.js';
import type { StateStore } from '../stores/state-store.js';
import { createIpThrottle } from './ip-throttle.js';
import { createLimiterFactory } from './limiter-factory.js';
import { createLoginThrottle } from './login-throttle.js';

export interface ThrottleDeps {
  config: Config;
  /** The raw Redis client when REDIS_URL is set: counters shared by every instance. */
  redis: RedisClient | undefined;
  stateStore: StateStore;
  logger: Logger;
}

/** The login, register and refresh throttles of one app, on Redis or in process. */
export function createThrottles({ config, redis, stateStore, logger }: ThrottleDeps): Throttles {
  const limiter = createLimiterFactory({ redis, keyPrefix: config.redisKeyPrefix, timeoutMs: config.stateStoreTimeoutMs });
  const { limits } = config;
  return {
    login: createLoginThrottle({
      limits,
      limiter,
      stateStore,
      onStoreError: (error) => logger.warn({ err: { message: (error as Error).message } }, 'state store unavailable for trusted login addresses'),
    }),
    register: createIpThrottle(limiter, 'register_ip', limits.registerIp),
    refresh: createIpThrottle(limiter, 'refresh_ip', limits.refreshIp),
  };
}
