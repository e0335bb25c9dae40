import { randomBytes, randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK, type JWTHeaderParameters } from 'jose';
import { expect } from 'vitest';
import { decryptPrivateJwk } from '../../../src/auth/jwt/key-crypto.js';
import type { JwtStrategy } from '../../../src/auth/jwt/jwt-strategy.js';
import type { TestApp } from '../../helpers/app.js';
import { Agent, PASSWORD, uniqueEmail } from '../../helpers/agent.js';
import { errorOf, type GqlResponse } from '../../helpers/client.js';

export { Agent, PASSWORD, uniqueEmail };

/** One deployment's key-encryption key: every instance of a test must share it to read the keys. */
export const TEST_KEK = randomBytes(32).toString('hex');

/**
 * JWT mode with a shared KEY_ENCRYPTION_KEY, and the abuse limits raised so tests that sign up
 * many users from one address are not throttled.
 */
export const jwtEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  AUTH_MODE: 'jwt',
  KEY_ENCRYPTION_KEY: TEST_KEK,
  REGISTER_IP_LIMIT: '100000',
  REFRESH_IP_LIMIT: '100000',
  LOGIN_IP_MAX_FAILURES: '100000',
  ...extra,
});

/** A fresh user, signed in on `app`. */
export async function signedIn(app: TestApp, tag = 'jwt'): Promise<Agent & { email: string; userId: string }> {
  const agent = new Agent(app.client) as Agent & { email: string; userId: string };
  agent.email = uniqueEmail(tag);
  const res = await agent.register(agent.email, PASSWORD);
  expect(res.body.errors).toBeUndefined();
  agent.userId = res.body.data!.register.user.id;
  return agent;
}

export const strategyOf = (app: TestApp) => app.running.strategy as JwtStrategy;

/** The first error is UNAUTHENTICATED with this reason, and no data leaked. */
export function expectRefused(res: GqlResponse, reason: string): void {
  expect(errorOf(res)).toMatchObject({ code: 'UNAUTHENTICATED', reason });
  expect(res.status).toBeLessThan(500);
}

export const ME = '{ me { id email } }';

/** Decodes a JWT part without verifying (for assertions on what the service issued). */
export const decodePart = (token: string, index: 0 | 1): Record<string, any> =>
  JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8'));

export interface ServerKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey | Uint8Array;
  publicJwk: JWK | null;
}

/** The service's own current signing key, read as an insider would (to forge otherwise-valid tokens). */
export async function serverKey(app: TestApp, kid?: string): Promise<ServerKey> {
  const header = kid ?? decodePart((await signedIn(app, 'keyprobe')).accessToken!, 0).kid;
  const row = await app.running.database.prisma.signingKey.findUniqueOrThrow({ where: { kid: header } });
  const jwk = decryptPrivateJwk(app.running.config.jwt.keyEncryptionKey, row.kid, row.alg, row.privateKeyEnc);
  return { kid: row.kid, alg: row.alg, privateKey: await importJWK(jwk as JWK, row.alg), publicJwk: row.publicJwk as JWK | null };
}

/** Claims as the service issues them, for a user, valid now. */
export function validClaims(app: TestApp, sub: string, sid: string, nowMs = Date.now()): Record<string, unknown> {
  const now = Math.floor(nowMs / 1000);
  const { issuer, audience } = app.running.config.jwt;
  return { iss: issuer, aud: audience, sub, sid, jti: randomUUID(), iat: now, exp: now + 600 };
}

/** Signs arbitrary claims and header with a key (the server's, or an attacker's). */
export async function forge(
  key: { kid: string; alg: string; privateKey: CryptoKey | Uint8Array },
  claims: Record<string, unknown>,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }).sign(key.privateKey);
}

/** Polls until `check` is true or the bound passes; answers the elapsed milliseconds. */
export async function within(boundMs: number, check: () => Promise<boolean>, stepMs = 20): Promise<number> {
  const start = performance.now();
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > boundMs) throw new Error(`condition not met within ${boundMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
