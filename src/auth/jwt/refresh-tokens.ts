import { createHash, randomBytes } from 'node:crypto';

/** `rt_` + 256 random bits, base64url: recognisable in logs and scanners, unguessable. */
const SHAPE = /^rt_[A-Za-z0-9_-]{43}$/;

export const newRefreshToken = (): string => `rt_${randomBytes(32).toString('base64url')}`;

/**
 * Only this hash is stored: a database leak yields nothing usable. A fast hash is enough for
 * 256 random bits (nothing to brute-force), and lookup by hash leaks no useful timing.
 */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Anything else (an access token, garbage) is refused without a database query. */
export const isRefreshTokenShaped = (token: string): boolean => SHAPE.test(token);
