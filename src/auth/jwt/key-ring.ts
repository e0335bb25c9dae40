import type { JWK } from 'jose';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Logger } from '../../logger.js';
import { decryptPrivateJwk, KeyDecryptionError } from './key-crypto.js';
import { importSigningKey, importVerificationKey, type JoseKey, type JwtAlg } from './key-generation.js';
import { loadKeyRows, retiredKeyLifetimeMs, type SigningKeyRow } from './signing-keys.js';

export interface RingKey {
  kid: string;
  activatesAt: number;
  /** From the database; null until some instance records the retirement. */
  retiredAt: number | null;
  publicJwk: JWK | null;
  verifyKey: JoseKey;
  signKey: JoseKey;
}

/** Our kids are base64url; anything else cannot be ours and never triggers a reload. */
const KID_SHAPE = /^[A-Za-z0-9_-]{8,64}$/;
/** An unknown kid reloads the key set at most this often, so garbage kids cannot hammer the database. */
const UNKNOWN_KID_RELOAD_GAP_MS = 2_000;

export interface KeyRingDeps {
  config: Config;
  clock: Clock;
  prisma: PrismaClient;
  logger: Logger;
}

/**
 * This instance's copy of the signing keys, the only keys tokens are verified with. Phases are
 * computed from the clock at each use: a key signs from activatesAt, is superseded when the
 * next key activates, and verifies (and stays in the JWKS) until every token it signed expired.
 */
export function createKeyRing({ config, clock, prisma, logger }: KeyRingDeps) {
  const alg = config.jwt.alg as JwtAlg;
  let keys: RingKey[] = [];
  let loaded = false;
  const imported = new Map<string, Pick<RingKey, 'verifyKey' | 'signKey'>>();
  const removedListeners: Array<() => void> = [];
  let lastUnknownReload = -Infinity;
  let unknownReload: Promise<void> | undefined;
  let started = 0;
  let installed = 0;

  async function importRow(row: SigningKeyRow): Promise<Pick<RingKey, 'verifyKey' | 'signKey'>> {
    const known = imported.get(row.kid);
    if (known) return known;
    const privateJwk = decryptPrivateJwk(config.jwt.keyEncryptionKey, row.kid, row.alg, row.privateKeyEnc);
    const signKey = await importSigningKey(privateJwk, alg);
    const verifyKey = alg === 'HS256' ? signKey : await importVerificationKey(row.publicJwk as JWK, alg);
    const pair = { signKey, verifyKey };
    imported.set(row.kid, pair);
    return pair;
  }

  /**
   * Re-reads the key set. `strict` (at start) fails on a key this KEY_ENCRYPTION_KEY cannot
   * decrypt; later reloads skip such a key and log it, keeping the keys that still work.
   */
  async function reload(strict = false): Promise<void> {
    // Reloads may overlap (timer, notice, unknown kid); one that started earlier must not
    // overwrite what a later one already installed.
    const seq = ++started;
    const rows = await loadKeyRows(prisma, config, clock.now());
    const next: RingKey[] = [];
    for (const row of rows) {
      try {
        const pair = await importRow(row);
        next.push({
          kid: row.kid,
          activatesAt: row.activatesAt.getTime(),
          retiredAt: row.retiredAt?.getTime() ?? null,
          publicJwk: (row.publicJwk as JWK | null) ?? null,
          ...pair,
        });
      } catch (error) {
        if (strict || !(error instanceof KeyDecryptionError)) throw error;
        logger.error({ kid: row.kid, err: { message: error.message } }, 'signing key skipped');
      }
    }
    if (seq < installed) return;
    installed = seq;
    const removed = keys.some((k) => !next.some((n) => n.kid === k.kid));
    keys = next;
    loaded = true;
    for (const kid of imported.keys()) if (!next.some((k) => k.kid === kid)) imported.delete(kid);
    if (removed) for (const listener of removedListeners) listener();
  }

  /** When a key stops verifying; null while it is the newest active key. */
  function expiresAt(index: number, now: number): number | null {
    const key = keys[index]!;
    const successor = keys[index + 1];
    const retiredAt = key.retiredAt ?? (successor && successor.activatesAt <= now ? successor.activatesAt : null);
    return retiredAt === null ? null : retiredAt + retiredKeyLifetimeMs(config);
  }

  function live(now = clock.now()): RingKey[] {
    return keys.filter((_, i) => {
      const end = expiresAt(i, now);
      return end === null || end > now;
    });
  }

  function signingKey(): RingKey {
    const now = clock.now();
    const candidates = live(now);
    const active = candidates.filter((k) => k.activatesAt <= now);
    // With no active key (this clock behind the one that made the first key), a published key
    // is still safe to sign with: every instance verifies with published keys.
    const key = active.at(-1) ?? candidates[0];
    if (!key) throw new Error('no signing key is loaded');
    return key;
  }

  function verificationKey(kid: string): RingKey | undefined {
    return live().find((k) => k.kid === kid);
  }

  /**
   * A kid we do not know may be a key another instance has just added (normally published a
   * JWKS period earlier, so this is rare): one rate-limited reload from the database, then answer.
   */
  async function keyForUnknownKid(kid: string): Promise<RingKey | undefined> {
    if (!KID_SHAPE.test(kid)) return undefined;
    if (!unknownReload && performance.now() - lastUnknownReload >= UNKNOWN_KID_RELOAD_GAP_MS) {
      lastUnknownReload = performance.now();
      unknownReload = reload()
        .catch((error) => logger.warn({ err: { message: (error as Error).message } }, 'key reload failed'))
        .finally(() => (unknownReload = undefined));
    }
    await unknownReload;
    return verificationKey(kid);
  }

  return {
    reload,
    signingKey,
    verificationKey,
    keyForUnknownKid,
    get loaded() {
      return loaded;
    },
    /** Public JWKs of every key that still verifies, the not-yet-active included (HS256: none). */
    jwks: (): JWK[] => live().flatMap((k) => (k.publicJwk ? [k.publicJwk] : [])),
    onKeysRemoved: (listener: () => void) => void removedListeners.push(listener),
  };
}

export type KeyRing = ReturnType<typeof createKeyRing>;
