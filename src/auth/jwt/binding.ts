import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

/**
 * TOKEN_BINDING=user-agent: a login is tied to the SHA-256 of the User-Agent it began with.
 * This is not proof of possession (a thief can copy a User-Agent), but it makes a token or
 * refresh token lifted from one browser useless from a different client without that extra step.
 */
export const userAgentHash = (req: Request): string =>
  createHash('sha256').update(req.get('user-agent') ?? '', 'utf8').digest('hex');

/** What access tokens carry (`uah`): 64 bits of the hash are plenty to tell clients apart. */
export const bindingTag = (hash: string): string => hash.slice(0, 16);

export function sameHash(a: string | null | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
