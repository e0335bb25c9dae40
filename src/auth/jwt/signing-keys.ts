import type { Config } from '../../config.js';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { encryptPrivateJwk } from './key-crypto.js';
import { generateSigningKey } from './key-generation.js';

/** Every instance re-reads the key set this often, besides the pub/sub notice of a rotation. */
export const KEY_RELOAD_INTERVAL_MS = 30_000;

/** Our own advisory-lock key ("JWKR"), distinct from the migration runner's. */
const ROTATION_LOCK = 0x4a574b52;

export interface SigningKeyRow {
  kid: string;
  alg: string;
  publicJwk: unknown;
  privateKeyEnc: string;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
  expiresAt: Date | null;
}

/**
 * How long before it signs a new key is published. One JWKS cache period (clients that cached
 * the JWKS just before the rotation refetch before the key is used), plus one reload interval
 * because an instance may serve its previous key set that much longer before it re-reads.
 */
export const publishLeadMs = (config: Config): number => config.jwt.jwksMaxAgeMs + KEY_RELOAD_INTERVAL_MS;

/** Slack for instances whose clocks differ a little (one may sign with the old key a moment longer). */
const SKEW_MARGIN_MS = 60_000;

/** A retired key verifies until every token it signed has expired, clock tolerance and skew included. */
export const retiredKeyLifetimeMs = (config: Config): number =>
  config.jwt.accessTtlMs + config.jwt.clockToleranceMs + SKEW_MARGIN_MS;

/** Keys of the configured algorithm that have not left the JWKS yet, oldest activation first. */
export function loadKeyRows(prisma: PrismaClient, config: Config, now: number): Promise<SigningKeyRow[]> {
  return prisma.signingKey.findMany({
    where: { alg: config.jwt.alg, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date(now) } }] },
    orderBy: [{ activatesAt: 'asc' }, { createdAt: 'asc' }, { kid: 'asc' }],
  });
}

export type RotationMode = 'scheduled' | 'forced';

async function newestCreatedAt(db: PrismaClient | Prisma.TransactionClient, config: Config): Promise<number | null> {
  const newest = await db.signingKey.findFirst({ where: { alg: config.jwt.alg }, orderBy: { createdAt: 'desc' } });
  return newest ? newest.createdAt.getTime() : null;
}

const isDue = (newest: number | null, config: Config, now: number, mode: RotationMode) =>
  mode === 'forced' || newest === null || newest + config.jwt.rotationIntervalMs <= now;

/**
 * Adds a signing key when there is none of the configured algorithm (it signs at once: nothing
 * can be verified without it), when the newest is older than KEY_ROTATION_INTERVAL, or when
 * forced (`npm run keys:rotate`). Later keys sign only after publishLeadMs. Instances booting or
 * rotating together serialise on an advisory lock and re-check inside it, so one key is added.
 * Answers the new kid, or null when nothing was due.
 */
export async function rotateSigningKey(
  prisma: PrismaClient,
  config: Config,
  now: () => number,
  mode: RotationMode,
): Promise<string | null> {
  // A cheap unlocked check first: a key pair (RSA especially) is not generated on every tick.
  if (!isDue(await newestCreatedAt(prisma, config), config, now(), mode)) return null;
  const key = await generateSigningKey(config.jwt.alg);
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', ROTATION_LOCK);
      const newest = await newestCreatedAt(tx, config);
      const at = now();
      if (mode === 'scheduled' && !isDue(newest, config, at, mode)) return null;
      await tx.signingKey.create({
        data: {
          kid: key.kid,
          alg: key.alg,
          ...(key.publicJwk ? { publicJwk: key.publicJwk as Prisma.InputJsonValue } : {}),
          privateKeyEnc: encryptPrivateJwk(config.jwt.keyEncryptionKey, key.kid, key.alg, key.privateJwk),
          createdAt: new Date(at),
          activatesAt: new Date(newest === null ? at : at + publishLeadMs(config)),
        },
      });
      return key.kid;
    },
    { maxWait: 10_000, timeout: 15_000 },
  );
}

/**
 * Records retirement of keys a newer active key has superseded (retiredAt = the newer key's
 * activation; expiresAt = when the last token the old key signed has expired) and deletes keys
 * past expiresAt: they verify nothing any more, and their encrypted private half need not be kept.
 */
export async function retireSupersededKeys(prisma: PrismaClient, config: Config, now: number): Promise<void> {
  const live = await prisma.signingKey.findMany({
    where: { alg: config.jwt.alg, retiredAt: null, activatesAt: { lte: new Date(now) } },
    orderBy: [{ activatesAt: 'asc' }, { createdAt: 'asc' }, { kid: 'asc' }],
  });
  for (let i = 0; i < live.length - 1; i++) {
    const retiredAt = live[i + 1]!.activatesAt.getTime();
    await prisma.signingKey.updateMany({
      where: { kid: live[i]!.kid, retiredAt: null },
      data: { retiredAt: new Date(retiredAt), expiresAt: new Date(retiredAt + retiredKeyLifetimeMs(config)) },
    });
  }
  await prisma.signingKey.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
}
