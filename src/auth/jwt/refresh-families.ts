import { randomUUID } from 'node:crypto';
import type { ClientInfo, SessionInfo } from '../../domain.js';
import { unauthenticated } from '../../errors.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { IssuedCredentials } from '../strategy.js';
import { sameHash } from './binding.js';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens.js';

/** Signs the access token of a pair; called inside the transaction, so a failure rolls it back. */
export type IssueAccess = (subject: { userId: string; familyId: string; watermark: Date | null }) => Promise<{ token: string; expiresAt: Date }>;

/** Bounded waits: a transaction that cannot start or finish answers an error, never hangs. */
const TX = { maxWait: 5_000, timeout: 10_000 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewLogin {
  userId: string;
  now: number;
  refreshTtlMs: number;
  client: ClientInfo;
  bindingHash: string | null;
}

/** A login: a new family with its first refresh token and an access token, all or nothing. */
export function startFamily(prisma: PrismaClient, login: NewLogin, issue: IssueAccess): Promise<IssuedCredentials> {
  const familyId = randomUUID();
  const refreshToken = newRefreshToken();
  const now = new Date(login.now);
  const expiresAt = new Date(login.now + login.refreshTtlMs);
  return prisma.$transaction(async (tx) => {
    const family = await tx.refreshFamily.create({
      data: {
        id: familyId,
        userId: login.userId,
        createdAt: now,
        lastUsedAt: now,
        expiresAt,
        userAgent: login.client.userAgent,
        ip: login.client.ip,
        bindingHash: login.bindingHash,
        tokens: { create: { tokenHash: hashRefreshToken(refreshToken), createdAt: now } },
      },
      select: { user: { select: { tokensValidAfter: true } } },
    });
    const access = await issue({ userId: login.userId, familyId, watermark: family.user.tokensValidAfter });
    return { sessionId: familyId, accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt: expiresAt };
  }, TX);
}

export type RefreshOutcome =
  | { kind: 'issued'; userId: string; credentials: IssuedCredentials }
  | { kind: 'reused'; userId: string; familyId: string };

export interface RefreshInput {
  token: string;
  now: number;
  reuseGraceMs: number;
  /** TOKEN_BINDING=user-agent: the presenting client's hash; null when binding is off. */
  bindingHash: string | null;
  /** Revoking the family on reuse also denylists its sid until its access tokens expired. */
  revocationExpiresAt: Date;
}

/**
 * Rotates a refresh token in one transaction. Consumption is a conditional update (`usedAt IS
 * NULL`), so of any number of concurrent calls exactly one wins; the losers see the token used.
 * A loser within REFRESH_REUSE_GRACE is a concurrent refresh and gets a pair of its own; past
 * it, the token was replayed: the whole family is revoked (committed) and the caller answers
 * REUSED. Any failure throws inside the transaction, so nothing is half applied.
 */
export function rotateRefreshToken(prisma: PrismaClient, input: RefreshInput, issue: IssueAccess): Promise<RefreshOutcome> {
  const tokenHash = hashRefreshToken(input.token);
  const now = new Date(input.now);
  return prisma.$transaction(async (tx) => {
    const consumed = await tx.refreshToken.updateMany({ where: { tokenHash, usedAt: null }, data: { usedAt: now } });
    const row = await tx.refreshToken.findUnique({ where: { tokenHash }, include: { family: true } });
    if (!row) throw unauthenticated('INVALID');
    const { family } = row;
    const replayed = consumed.count === 0;
    if (family.revokedAt) throw unauthenticated(replayed && family.revokedReason === 'reuse' ? 'REUSED' : 'REVOKED');
    if (family.expiresAt <= now) throw unauthenticated('EXPIRED');
    if (input.bindingHash !== null && !sameHash(family.bindingHash, input.bindingHash)) throw unauthenticated('INVALID');
    const withinGrace = input.reuseGraceMs > 0 && input.now - row.usedAt!.getTime() < input.reuseGraceMs;
    if (replayed && !withinGrace) {
      await tx.refreshFamily.updateMany({ where: { id: family.id, revokedAt: null }, data: { revokedAt: now, revokedReason: 'reuse' } });
      await tx.revocation.createMany({
        data: [{ id: `sid:${family.id}`, userId: family.userId, createdAt: now, expiresAt: input.revocationExpiresAt }],
        skipDuplicates: true,
      });
      return { kind: 'reused', userId: family.userId, familyId: family.id };
    }
    const refreshToken = newRefreshToken();
    await tx.refreshToken.create({ data: { tokenHash: hashRefreshToken(refreshToken), familyId: family.id, createdAt: now } });
    await tx.refreshFamily.update({ where: { id: family.id }, data: { lastUsedAt: now } });
    // The watermark comes from the revocation replica (issue() consults it), not a user read:
    // a family that predates a watermark was revoked with it and never gets here.
    const access = await issue({ userId: family.userId, familyId: family.id, watermark: null });
    const credentials: IssuedCredentials = {
      sessionId: family.id,
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      refreshTokenExpiresAt: family.expiresAt,
    };
    return { kind: 'issued', userId: family.userId, credentials };
  }, TX);
}

const liveWhere = (now: number) => ({ revokedAt: null, expiresAt: { gt: new Date(now) } });

/** The user's live logins, newest first. */
export async function listFamilies(prisma: PrismaClient, userId: string, current: string | null, now: number): Promise<SessionInfo[]> {
  const rows = await prisma.refreshFamily.findMany({ where: { userId, ...liveWhere(now) }, orderBy: { createdAt: 'desc' } });
  return rows.map((f) => ({
    id: f.id,
    createdAt: f.createdAt,
    lastUsedAt: f.lastUsedAt,
    expiresAt: f.expiresAt,
    userAgent: f.userAgent,
    ip: f.ip,
    current: f.id === current,
  }));
}

/** Owner of a live family; ids that are not UUIDs cannot name one and never reach the uuid column. */
export async function familyOwner(prisma: PrismaClient, familyId: string, now: number): Promise<string | null> {
  if (!UUID.test(familyId)) return null;
  const row = await prisma.refreshFamily.findFirst({ where: { id: familyId, ...liveWhere(now) }, select: { userId: true } });
  return row?.userId ?? null;
}

/** Expired logins are kept this long (sessions of the past week stay explainable), then deleted. */
const EXPIRED_FAMILY_RETENTION_MS = 7 * 86_400_000;

/** Deletes long-expired families; their refresh tokens go with them (ON DELETE CASCADE). */
export async function pruneFamilies(prisma: PrismaClient, now: number): Promise<void> {
  await prisma.refreshFamily.deleteMany({ where: { expiresAt: { lt: new Date(now - EXPIRED_FAMILY_RETENTION_MS) } } });
}
