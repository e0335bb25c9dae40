import { z } from 'zod';

/** Builds a zod schema for a duration setting (config.ts passes its own, so messages match). */
type DurationSchema = (what: string) => z.ZodType<number, string>;

const count = (what: string) =>
  z.coerce.number({ message: `${what}: a whole number of at least 1` }).int(`${what}: a whole number of at least 1`).min(1, `${what}: a whole number of at least 1`);

/** Rate-limit windows are counted in whole seconds by the limiter library. */
const window = (duration: DurationSchema, what: string) =>
  duration(what).refine((ms) => ms >= 1_000, { message: `${what}: a duration of at least 1s such as 15m or 1h` });

/**
 * The abuse-resistance settings, as environment variables. Kept beside the code they tune;
 * config.ts merges them into its schema.
 */
export const abuseEnvShape = (duration: DurationSchema) => ({
  LOGIN_FREE_FAILURES: count('LOGIN_FREE_FAILURES').default(5),
  LOGIN_BACKOFF_BASE: window(duration, 'LOGIN_BACKOFF_BASE').prefault('30s'),
  LOGIN_BACKOFF_MAX: window(duration, 'LOGIN_BACKOFF_MAX').prefault('1h'),
  LOGIN_FAILURE_WINDOW: window(duration, 'LOGIN_FAILURE_WINDOW').prefault('24h'),
  LOGIN_ACCOUNT_MAX_FAILURES: count('LOGIN_ACCOUNT_MAX_FAILURES').default(100),
  LOGIN_ACCOUNT_WINDOW: window(duration, 'LOGIN_ACCOUNT_WINDOW').prefault('1h'),
  LOGIN_IP_MAX_FAILURES: count('LOGIN_IP_MAX_FAILURES').default(100),
  LOGIN_IP_WINDOW: window(duration, 'LOGIN_IP_WINDOW').prefault('1h'),
  LOGIN_TRUSTED_ADDRESS_TTL: window(duration, 'LOGIN_TRUSTED_ADDRESS_TTL').prefault('30d'),
  REGISTER_IP_LIMIT: count('REGISTER_IP_LIMIT').default(20),
  REGISTER_IP_WINDOW: window(duration, 'REGISTER_IP_WINDOW').prefault('1h'),
  REFRESH_IP_LIMIT: count('REFRESH_IP_LIMIT').default(300),
  REFRESH_IP_WINDOW: window(duration, 'REFRESH_IP_WINDOW').prefault('5m'),
  AUDIT_RETENTION: window(duration, 'AUDIT_RETENTION').prefault('90d'),
  REQUEST_TIMEOUT: window(duration, 'REQUEST_TIMEOUT').prefault('30s'),
});

type AbuseEnv = { [K in keyof ReturnType<typeof abuseEnvShape>]: number };

/** A fixed-window limit: at most `points` in `windowMs`. */
export interface WindowLimit {
  readonly points: number;
  readonly windowMs: number;
}

/** Login throttling, register and refresh limits (see src/abuse/login-throttle.ts for the scheme). */
export interface LimitsConfig {
  /** Consecutive failures per account and address before the growing delays start. */
  readonly loginFreeFailures: number;
  readonly loginBackoffBaseMs: number;
  readonly loginBackoffMaxMs: number;
  /** How long consecutive failures per account and address are remembered. */
  readonly loginFailureWindowMs: number;
  /** Failures per account from all addresses (ASVS: at most 100 an hour). */
  readonly loginAccount: WindowLimit;
  /** Failures per address across accounts (password spraying). */
  readonly loginIp: WindowLimit;
  /** An address the account signed in from stays exempt from the account-wide limit this long. */
  readonly trustedAddressTtlMs: number;
  readonly registerIp: WindowLimit;
  readonly refreshIp: WindowLimit;
}

export function abuseSettings(e: AbuseEnv): { limits: LimitsConfig; auditRetentionMs: number; requestTimeoutMs: number } {
  return {
    limits: Object.freeze({
      loginFreeFailures: e.LOGIN_FREE_FAILURES,
      loginBackoffBaseMs: e.LOGIN_BACKOFF_BASE,
      loginBackoffMaxMs: Math.max(e.LOGIN_BACKOFF_MAX, e.LOGIN_BACKOFF_BASE),
      loginFailureWindowMs: e.LOGIN_FAILURE_WINDOW,
      loginAccount: Object.freeze({ points: e.LOGIN_ACCOUNT_MAX_FAILURES, windowMs: e.LOGIN_ACCOUNT_WINDOW }),
      loginIp: Object.freeze({ points: e.LOGIN_IP_MAX_FAILURES, windowMs: e.LOGIN_IP_WINDOW }),
      trustedAddressTtlMs: e.LOGIN_TRUSTED_ADDRESS_TTL,
      registerIp: Object.freeze({ points: e.REGISTER_IP_LIMIT, windowMs: e.REGISTER_IP_WINDOW }),
      refreshIp: Object.freeze({ points: e.REFRESH_IP_LIMIT, windowMs: e.REFRESH_IP_WINDOW }),
    }),
    auditRetentionMs: e.AUDIT_RETENTION,
    requestTimeoutMs: e.REQUEST_TIMEOUT,
  };
}
