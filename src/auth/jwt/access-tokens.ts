import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import { unauthenticated } from '../../errors.js';
import type { KeyRing } from './key-ring.js';

/** The claims the service relies on, checked for type after the signature. */
export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  /** TOKEN_BINDING=user-agent: the first 16 hex digits of the login's User-Agent hash. */
  uah?: string;
}

/** Far above any token we sign; a longer one is refused before any parsing work. */
export const MAX_TOKEN_CHARS = 8 * 1024;
const VERIFIED_CACHE_SIZE = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Header parameters that would let a token choose its own key; we never honour them. */
const KEY_CHOOSING_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];

const seconds = (ms: number) => Math.floor(ms / 1000);

export interface SignInput {
  userId: string;
  sessionId: string;
  /** The user's "not before" watermark (ms): the token's iat is pushed past its second. */
  watermarkMs: number | null;
  bindingTag: string | null;
}

function parseClaims(payload: JWTPayload): AccessClaims {
  const { sub, sid, jti, iat, exp, uah } = payload as Record<string, unknown>;
  const ok =
    typeof sub === 'string' && UUID.test(sub) &&
    typeof sid === 'string' && UUID.test(sid) &&
    typeof jti === 'string' && jti.length > 0 && jti.length <= 128 &&
    Number.isInteger(iat) && Number.isInteger(exp) &&
    (uah === undefined || typeof uah === 'string');
  if (!ok) throw unauthenticated('INVALID');
  return { sub, sid, jti, iat: iat as number, exp: exp as number, ...(uah === undefined ? {} : { uah: uah as string }) };
}

export function createAccessTokens({ config, clock, ring }: { config: Config; clock: Clock; ring: KeyRing }) {
  const { alg, issuer, audience } = config.jwt;
  const ttlSec = Math.max(1, seconds(config.jwt.accessTtlMs));
  const toleranceSec = seconds(config.jwt.clockToleranceMs);
  // Verified tokens, so the common case costs a map lookup instead of a signature check. Only
  // what passed full verification enters; expiry is re-checked against the clock on every hit,
  // and the cache is emptied when a key leaves the key set.
  const verified = new LRUCache<string, AccessClaims>({ max: VERIFIED_CACHE_SIZE });

  /** The key comes from our own key set by kid, never from the token's header. */
  async function keyFor(header: JWTHeaderParameters) {
    if (header.crit !== undefined || KEY_CHOOSING_HEADERS.some((name) => name in header)) throw new Error('refused header');
    if (typeof header.kid !== 'string') throw new Error('no kid');
    const key = ring.verificationKey(header.kid) ?? (await ring.keyForUnknownKid(header.kid));
    if (!key) throw new Error('unknown kid');
    return key.verifyKey;
  }

  /** Same rules as jose (exp in whole seconds, with tolerance), for cached tokens. */
  function checkTimes(claims: AccessClaims): void {
    const now = seconds(clock.now());
    if (claims.exp <= now - toleranceSec) throw unauthenticated('EXPIRED');
    // The watermark may push iat one second ahead of the clock; no further. A lifetime longer
    // than we issue (iat 0, a far exp) is not one of our tokens, whatever signed it.
    if (claims.iat > now + toleranceSec + 1 || claims.iat <= 0 || claims.exp - claims.iat > ttlSec + 1) {
      throw unauthenticated('INVALID');
    }
  }

  async function verifySignature(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, keyFor, {
        issuer,
        audience,
        algorithms: [alg],
        typ: 'at+jwt',
        clockTolerance: toleranceSec,
        currentDate: new Date(clock.now()),
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
      });
      return parseClaims(payload);
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthenticated('EXPIRED');
      // Every other failure (bad signature, algorithm, header, claim, encoding) is one answer:
      // telling them apart would only help an attacker probe.
      throw unauthenticated('INVALID');
    }
  }

  return {
    /** Verifies signature and claims; throws UNAUTHENTICATED (INVALID or EXPIRED). */
    async verify(token: string): Promise<AccessClaims> {
      if (token.length > MAX_TOKEN_CHARS) throw unauthenticated('INVALID');
      const claims = verified.get(token) ?? (await verifySignature(token));
      checkTimes(claims);
      verified.set(token, claims);
      return claims;
    },

    async sign(input: SignInput): Promise<{ token: string; expiresAt: Date; jti: string }> {
      const key = ring.signingKey();
      const now = seconds(clock.now());
      // A token issued after a revoke-all in the same second must outlive the watermark.
      const iat = input.watermarkMs === null ? now : Math.max(now, seconds(input.watermarkMs) + 1);
      const exp = iat + ttlSec;
      const jti = randomUUID();
      const token = await new SignJWT({ sid: input.sessionId, ...(input.bindingTag ? { uah: input.bindingTag } : {}) })
        .setProtectedHeader({ alg, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(input.userId)
        .setJti(jti)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(key.signKey);
      return { token, expiresAt: new Date(exp * 1000), jti };
    },

    clearCache: () => verified.clear(),
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
