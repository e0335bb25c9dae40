import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { isOverLimit, type Limiter } from './limiter-factory.js';

/** Which limit refused an attempt; kept for the audit trail, never sent to the client. */
export type LimitName = 'login_account_ip' | 'login_account' | 'login_ip' | 'register_ip' | 'refresh_ip';

/**
 * RATE_LIMITED with `retryAfter` in seconds. The response is the same whichever limit
 * refused and whether or not the account exists; `cause` names the limit for the audit trail.
 */
export function throttled(limit: LimitName, msBeforeNext: number): AppError {
  return new AppError('RATE_LIMITED', 'Too many attempts; try again later', {
    retryAfter: Math.max(1, Math.ceil(msBeforeNext / 1_000)),
    cause: { limit },
  });
}

/** The limit named by a RATE_LIMITED error made by `throttled`, if any. */
export const limitOf = (error: AppError): LimitName | undefined =>
  (error.cause as { limit?: LimitName } | undefined)?.limit;

/**
 * Key material from what the client typed (an email, an address): hashed, so keys have a
 * fixed size whatever is sent, and the state store holds no email addresses.
 */
export const keyOf = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\0')).digest('base64url');

/**
 * Takes one point from a fixed-window limit, atomically, before the work it guards. Over the
 * limit, the point is given back (a refused attempt is not an attempt) and the time until the
 * window ends is answered; otherwise null, and the point stays taken until `refund`.
 * Reserving first, rather than checking and counting afterwards, keeps the limit exact when
 * many attempts arrive at once.
 */
export async function reserve(limiter: Limiter, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (error) {
    if (!isOverLimit(error)) throw error;
    await limiter.reward(key);
    return Math.max(error.msBeforeNext, 1);
  }
}

/** Gives a reserved point back (the attempt succeeded, or another limit refused it). */
export async function refund(limiter: Limiter, key: string): Promise<void> {
  await limiter.reward(key);
}
