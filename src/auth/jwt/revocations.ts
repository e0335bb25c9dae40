import type { Config } from '../../config.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Notice } from './revocation-replica.js';

/** Slack for a token signed while its family was being revoked (a refresh racing the revoke). */
const RACE_MARGIN_MS = 60_000;

/**
 * How long a denylist entry or watermark matters: until every access token it can cover has
 * expired, clock tolerance included. After that it removes itself.
 */
export const revocationLifetimeMs = (config: Config): number =>
  config.jwt.accessTtlMs + config.jwt.clockToleranceMs + RACE_MARGIN_MS;

export interface Revoked {
  /** How many live logins ended. */
  count: number;
  /** What every instance's replica must learn. */
  notices: Notice[];
}

/**
 * Ends one login: its family can no longer refresh, and its access tokens are denylisted by
 * `sid` (plus the presented token's `jti`, when the caller ends its own login) in one
 * transaction. The database is the source of truth; replicas are told afterwards.
 */
export async function revokeFamily(
  prisma: PrismaClient,
  config: Config,
  target: { userId: string; familyId: string; jti: string | null; now: number },
): Promise<Revoked> {
  const now = new Date(target.now);
  const until = target.now + revocationLifetimeMs(config);
  const ids = [`sid:${target.familyId}`, ...(target.jti ? [`jti:${target.jti}`] : [])];
  const count = await prisma.$transaction(async (tx) => {
    const { count } = await tx.refreshFamily.updateMany({
      where: { id: target.familyId, userId: target.userId, revokedAt: null, expiresAt: { gt: now } },
      data: { revokedAt: now, revokedReason: 'revoked' },
    });
    await tx.revocation.createMany({
      data: ids.map((id) => ({ id, userId: target.userId, createdAt: now, expiresAt: new Date(until) })),
      skipDuplicates: true,
    });
    return count;
  });
  return { count, notices: ids.map((id) => ({ kind: 'deny', id, until })) };
}

/**
 * Ends every login of a user (revoke ALL, password change): every family is revoked, and one
 * per-user watermark refuses every access token issued up to now, however many there are.
 */
export async function revokeAllFamilies(prisma: PrismaClient, target: { userId: string; now: number }): Promise<Revoked> {
  const now = new Date(target.now);
  const count = await prisma.$transaction(async (tx) => {
    const { count } = await tx.refreshFamily.updateMany({
      where: { userId: target.userId, revokedAt: null, expiresAt: { gt: now } },
      data: { revokedAt: now, revokedReason: 'revoked-all' },
    });
    // Never moves backwards (two revocations racing, or instance clocks that differ).
    await tx.user.updateMany({
      where: { id: target.userId, OR: [{ tokensValidAfter: null }, { tokensValidAfter: { lt: now } }] },
      data: { tokensValidAfter: now },
    });
    return count;
  });
  return { count, notices: [{ kind: 'watermark', userId: target.userId, at: target.now }] };
}

/** Denylist rows past their lifetime cover no live token any more. */
export async function pruneRevocations(prisma: PrismaClient, now: number): Promise<void> {
  await prisma.revocation.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
}
