import type { LimitsConfig } from './settings.js';
import type { LimiterFactory } from './limiter-factory.js';
import { isOverLimit } from './limiter-factory.js';
import { keyOf, refund, reserve, throttled } from './reservations.js';
import type { StateStore } from '../stores/state-store.js';

/**
 * Login throttling without lockout denial of service.
 *
 * Three counters guard every password check (login, and the current password of
 * changePassword). All are keyed by the normalised email string, never by the user id, so an
 * unknown email is limited exactly like a known one, and the answer (RATE_LIMITED with
 * retryAfter) says nothing about whether the account exists.
 *
 * 1. Account + address: consecutive failures. After LOGIN_FREE_FAILURES of them the pair is
 *    blocked for LOGIN_BACKOFF_BASE; when the block ends one attempt is let through, and each
 *    further failure blocks again for twice as long, up to LOGIN_BACKOFF_MAX. A success resets
 *    it. An attacker hammering one account from one address gets a handful of tries, then
 *    one per growing delay.
 * 2. Account, from any address: at most LOGIN_ACCOUNT_MAX_FAILURES per LOGIN_ACCOUNT_WINDOW
 *    (ASVS: 100 an hour), against attackers spread over many addresses.
 * 3. Address, across accounts: at most LOGIN_IP_MAX_FAILURES per LOGIN_IP_WINDOW, against
 *    password spraying (one password tried on many accounts).
 *
 * The owner stays able to sign in: an address the account signed in from within
 * LOGIN_TRUSTED_ADDRESS_TTL is exempt from (2), so an attacker who exhausts the account-wide
 * budget from elsewhere does not lock the owner out of their usual places; (1) still applies
 * there, and the attacker's own address is slowed by (1) long before (2) moves much.
 *
 * Each counter takes its point before the password is checked (exact under concurrency) and
 * gives it back when the attempt succeeds or another counter refuses it: attempts refused by
 * a limit run no argon2 work and do not count as failures.
 */
export interface LoginThrottle {
  /** Reserves one password check, or throws RATE_LIMITED. */
  begin(email: string, ip: string | null): Promise<LoginAttempt>;
  /** Marks an address as one the account signs in from (also after register). */
  trust(email: string, ip: string | null): Promise<void>;
}

export interface LoginAttempt {
  /** The password was right: resets consecutive failures, refunds, trusts the address. */
  succeeded(): Promise<void>;
  /** The password was wrong: the reserved points stay counted. */
  failed(): Promise<void>;
  /** The check could not run (database down): nothing is counted against anyone. */
  abandon(): Promise<void>;
}

export interface LoginThrottleDeps {
  limits: LimitsConfig;
  limiter: LimiterFactory;
  stateStore: StateStore;
  onStoreError?: (error: unknown) => void;
}

const UNKNOWN_IP = 'unknown';
const TRUST_LOOKUP_MS = 500;

export function createLoginThrottle({ limits, limiter, stateStore, onStoreError }: LoginThrottleDeps): LoginThrottle {
  const huge = Number.MAX_SAFE_INTEGER;
  const consecutive = limiter({ name: 'login_fails_account_ip', points: huge, windowMs: limits.loginFailureWindowMs });
  const gate = limiter({ name: 'login_gate_account_ip', points: 1, windowMs: limits.loginBackoffBaseMs });
  const account = limiter({ name: 'login_fails_account', ...limits.loginAccount });
  const address = limiter({ name: 'login_fails_ip', ...limits.loginIp });
  const trustKey = (accountKey: string, ip: string) => `login:trusted:${keyOf(accountKey, ip)}`;

  /** Delay before the next attempt after `failures` consecutive failures (≥ the free ones). */
  const backoffMs = (failures: number) =>
    Math.min(limits.loginBackoffBaseMs * 2 ** Math.min(failures - limits.loginFreeFailures, 30), limits.loginBackoffMaxMs);

  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1_000));

  /**
   * Step 1: reserves a free attempt, or else the one attempt let through when a block ends.
   * The gate holds one point: a block fills it (`gate.block`); once it expires, the first
   * attempt takes the point atomically and every concurrent one is refused.
   */
  async function reserveAccountIp(key: string): Promise<number | null> {
    let failures = (await consecutive.get(key))?.consumedPoints ?? 0;
    if (failures < limits.loginFreeFailures) {
      const taken = await consecutive.penalty(key);
      if (taken.consumedPoints <= limits.loginFreeFailures) return null;
      // Lost a race with concurrent attempts for the last free one: take the gated path.
      await consecutive.reward(key);
      failures = taken.consumedPoints - 1;
    }
    try {
      await gate.consume(key, 1, { customDuration: seconds(backoffMs(failures)) });
    } catch (error) {
      if (isOverLimit(error)) return Math.max(error.msBeforeNext, 1);
      throw error;
    }
    await consecutive.penalty(key);
    return null;
  }

  /** A failure past the free ones blocks the pair for a delay that doubles each time. */
  async function recordPairFailure(key: string): Promise<void> {
    const failures = (await consecutive.get(key))?.consumedPoints ?? 0;
    if (failures >= limits.loginFreeFailures) await gate.block(key, seconds(backoffMs(failures)));
  }

  /**
   * Without a timely answer from the store, the address is treated as unknown: still limited,
   * never exempt. A slow store must not hold the login for longer than a limiter call would.
   */
  async function isTrusted(accountKey: string, ip: string): Promise<boolean> {
    if (ip === UNKNOWN_IP) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), TRUST_LOOKUP_MS)));
    try {
      return (await Promise.race([stateStore.get(trustKey(accountKey, ip)), late])) !== null;
    } catch (error) {
      onStoreError?.(error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async function trust(email: string, ip: string | null): Promise<void> {
    if (!ip) return;
    await stateStore.set(trustKey(keyOf(email), ip), '1', limits.trustedAddressTtlMs).catch((error) => onStoreError?.(error));
  }

  async function begin(email: string, rawIp: string | null): Promise<LoginAttempt> {
    const ip = rawIp ?? UNKNOWN_IP;
    const accountKey = keyOf(email);
    const pairKey = keyOf(email, ip);
    const ipKey = keyOf(ip);
    // Looked up alongside the counters, so a slow store costs one wait, not two.
    const trusted = isTrusted(accountKey, ip);
    const ipWait = await reserve(address, ipKey);
    if (ipWait !== null) throw throttled('login_ip', ipWait);
    const pairWait = await reserveAccountIp(pairKey);
    if (pairWait !== null) {
      await refund(address, ipKey);
      throw throttled('login_account_ip', pairWait);
    }
    const exempt = await trusted;
    const accountWait = exempt ? null : await reserve(account, accountKey);
    if (accountWait !== null) {
      await Promise.all([refund(address, ipKey), refund(consecutive, pairKey)]);
      throw throttled('login_account', accountWait);
    }
    return {
      async succeeded() {
        await Promise.all([
          refund(address, ipKey),
          exempt ? undefined : refund(account, accountKey),
          consecutive.delete(pairKey),
          gate.delete(pairKey),
        ]);
        // Best effort and off the login's path: a store outage must not delay the sign-in.
        void trust(email, rawIp);
      },
      failed: () => recordPairFailure(pairKey),
      async abandon() {
        await Promise.all([refund(address, ipKey), exempt ? undefined : refund(account, accountKey), refund(consecutive, pairKey)]);
      },
    };
  }

  return { begin, trust };
}
