import { exportSPKI, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { errorOf } from '../helpers/client.js';
import { decodePart, expectRefused, forge, jwtEnv, ME, serverKey, signedIn, validClaims, type ServerKey } from './support/jwt-helpers.js';
import { ed25519, hs256, rawJwt } from './support/raw-jwt.js';

type Ctx = { app: TestApp; key: ServerKey; token: string; sub: string; sid: string };
type Case = [name: string, make: (ctx: Ctx) => Promise<string> | string, reason?: 'INVALID' | 'EXPIRED'];

const attacker = () => generateKeyPair('EdDSA', { extractable: true });
const claims = (c: Ctx, extra: Record<string, unknown> = {}) => ({ ...validClaims(c.app, c.sub, c.sid), ...extra });
const without = (c: Ctx, name: string) => {
  const all: Record<string, unknown> = claims(c);
  delete all[name];
  return all;
};

const CASES: Case[] = [
  ['alg none', (c) => rawJwt({ alg: 'none', typ: 'at+jwt', kid: c.key.kid }, claims(c))],
  ['HS256 signed with the public key as raw bytes', (c) => hs256(Buffer.from(c.key.publicJwk!.x!, 'base64url'), { kid: c.key.kid }, claims(c))],
  ['HS256 signed with the public key as PEM', async (c) => hs256(await exportSPKI((await importJWK(c.key.publicJwk!, 'EdDSA', { extractable: true })) as CryptoKey), { kid: c.key.kid }, claims(c))],
  ['HS256 signed with the JWK x string', (c) => hs256(c.key.publicJwk!.x!, { kid: c.key.kid }, claims(c))],
  ['a payload altered under the original signature', (c) => {
    const [h, , s] = c.token.split('.');
    const payload = { ...decodePart(c.token, 1), exp: decodePart(c.token, 1).exp + 3600 };
    return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  }],
  ["an attacker's key carrying the server's kid", async (c) => forge({ kid: c.key.kid, alg: 'EdDSA', privateKey: (await attacker()).privateKey }, claims(c))],
  ["an attacker's key in the jwk header", async (c) => {
    const pair = await attacker();
    const jwk = (await import('jose')).exportJWK(pair.publicKey);
    return forge({ kid: c.key.kid, alg: 'EdDSA', privateKey: pair.privateKey }, claims(c), { jwk: (await jwk) as JWK });
  }],
  ['a jku header pointing elsewhere', async (c) => forge({ kid: 'evil', alg: 'EdDSA', privateKey: (await attacker()).privateKey }, claims(c), { jku: 'https://evil.example/jwks.json' })],
  ['an x5u header pointing elsewhere', async (c) => forge({ kid: 'evil', alg: 'EdDSA', privateKey: (await attacker()).privateKey }, claims(c), { x5u: 'https://evil.example/cert.pem' } as object)],
  ['a jku header even on a server-signed token', (c) => forge(c.key, claims(c), { jku: 'https://evil.example/jwks.json' })],
  ['an unknown kid', async (c) => forge({ kid: 'AAAAAAAAAAAAAAAAAAAAAA', alg: 'EdDSA', privateKey: (await attacker()).privateKey }, claims(c))],
  ['kid ../../etc/passwd', async (c) => forge({ kid: '../../etc/passwd', alg: 'EdDSA', privateKey: (await attacker()).privateKey }, claims(c))],
  ["kid ' OR 1=1 --", async (c) => forge({ kid: "' OR 1=1 --", alg: 'EdDSA', privateKey: (await attacker()).privateKey }, claims(c))],
  ['another issuer', (c) => forge(c.key, claims(c, { iss: 'https://evil.example' }))],
  ['another audience', (c) => forge(c.key, claims(c, { aud: 'someone-else' }))],
  ['no exp', (c) => forge(c.key, without(c, 'exp'))],
  ['no sid', (c) => forge(c.key, without(c, 'sid'))],
  ['typ JWT instead of at+jwt', (c) => forge(c.key, claims(c), { typ: 'JWT' })],
  ['an unknown crit header', (c) => ed25519(c.key.privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid: c.key.kid, crit: ['x-policy'], 'x-policy': 1 }, claims(c))],
  ['a lifetime longer than the service issues', (c) => forge(c.key, claims(c, { exp: Math.floor(Date.now() / 1000) + 86_400 }))],
  ['nbf in the future', (c) => forge(c.key, claims(c, { nbf: Math.floor(Date.now() / 1000) + 3600 }))],
  ['iat far in the future', (c) => forge(c.key, claims(c, { iat: Math.floor(Date.now() / 1000) + 3600 }))],
  ['an expired token signed by the server', (c) => forge(c.key, claims(c, { exp: Math.floor(Date.now() / 1000) - 3600 })), 'EXPIRED'],
  ['ES256 with the all-zero psychic signature', (c) => rawJwt({ alg: 'ES256', typ: 'at+jwt', kid: c.key.kid }, claims(c), Buffer.alloc(64).toString('base64url'))],
  ['HS256 with an empty secret', (c) => hs256('', { kid: c.key.kid }, claims(c))],
  ['two segments', (c) => c.token.split('.').slice(0, 2).join('.')],
  ['four segments', (c) => `${c.token}.${c.token.split('.')[2]}`],
  ['JSON serialization', (c) => {
    const [protectedHeader, payload, signature] = c.token.split('.');
    return JSON.stringify({ protected: protectedHeader, payload, signature });
  }],
  ...(['sub', 'sid', 'jti', 'iat', 'exp', 'iss', 'aud'] as const).flatMap((name) =>
    ([null, true, 0] as const).map((value): Case => [
      `claim ${name} set to ${value}`,
      (c) => forge(c.key, claims(c, { [name]: value })),
      // exp 0 is a well-formed expiry in 1970: the token is (correctly) reported expired.
      name === 'exp' && value === 0 ? 'EXPIRED' : 'INVALID',
    ]),
  ),
  ['garbage', () => 'not-a-token'],
  ['a refresh token', () => `rt_${'A'.repeat(43)}`],
];

describe.each(backends)('bad access tokens on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let ctx: Ctx;
  let control: Awaited<ReturnType<typeof signedIn>>;

  beforeAll(async () => {
    harness = await createHarness(backend);
    const app = await harness.start(jwtEnv());
    control = await signedIn(app, 'control');
    const victim = await signedIn(app, 'victim');
    const { sub, sid } = decodePart(victim.accessToken!, 1);
    ctx = { app, key: await serverKey(app), token: victim.accessToken!, sub, sid };
  });
  afterAll(async () => harness.stop());

  /** The service keeps serving: a good token right after a bad one works. */
  async function expectNextServed(): Promise<void> {
    expect((await control.gql(ME)).body.data?.me?.id).toBe(control.userId);
  }

  it('accepts a token forged with its own key and valid claims (the cases below differ in one point)', async () => {
    const token = await forge(ctx.key, validClaims(ctx.app, ctx.sub, ctx.sid));
    expect((await ctx.app.client.gql(ME, {}, { bearer: token })).body.data?.me?.id).toBe(ctx.sub);
    const byHand = ed25519(ctx.key.privateKey, { alg: 'EdDSA', typ: 'at+jwt', kid: ctx.key.kid }, validClaims(ctx.app, ctx.sub, ctx.sid));
    expect((await ctx.app.client.gql(ME, {}, { bearer: byHand })).body.data?.me?.id).toBe(ctx.sub);
  });

  it.each(CASES)('refuses %s', async (_name, make, reason = 'INVALID') => {
    const token = await make(ctx);
    const res = await ctx.app.client.gql(ME, {}, { bearer: token });
    expectRefused(res, reason);
    expect(res.body.data?.me ?? null).toBeNull();
    await expectNextServed();
  });

  it.each([
    ['an empty bearer', 'Bearer '],
    ['a bearer of spaces', 'Bearer    '],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a 64 KiB Authorization header', `Bearer ${'A'.repeat(64 * 1024)}`],
  ])('refuses %s', async (_name, authorization) => {
    const res = await ctx.app.client.gql(ME, {}, { headers: { authorization } });
    expectRefused(res, 'INVALID');
    await expectNextServed();
  });

  it('refuses an access token sent as the refresh token', async () => {
    const res = await ctx.app.client.gql('mutation($t: String) { refresh(refreshToken: $t) { accessToken } }', { t: ctx.token });
    expectRefused(res, 'INVALID');
    await expectNextServed();
  });

  it('refuses a psychic signature on an ES256 deployment too (CVE-2022-21449)', async () => {
    const es = await harness.startPeer(ctx.app, jwtEnv({ JWT_ALG: 'ES256' }));
    const agent = await signedIn(es, 'es256');
    const { kid } = decodePart(agent.accessToken!, 0);
    const payload = decodePart(agent.accessToken!, 1);
    const res = await es.client.gql(ME, {}, { bearer: rawJwt({ alg: 'ES256', typ: 'at+jwt', kid }, payload, Buffer.alloc(64).toString('base64url')) });
    expectRefused(res, 'INVALID');
    expect(errorOf(await agent.gql(ME)).code).toBeUndefined();
  });
});
