import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { createHarness, TestClock, type TestApp } from '../helpers/app.js';
import { decodePart, expectRefused, jwtEnv, ME, signedIn } from './support/jwt-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(backends)('JWT access tokens on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(jwtEnv());
  });
  afterAll(async () => harness.stop());

  it('issues an RFC 9068 access token that authenticates me', async () => {
    const agent = await signedIn(app);
    const header = decodePart(agent.accessToken!, 0);
    const claims = decodePart(agent.accessToken!, 1);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(typeof header.kid).toBe('string');
    expect(claims).toMatchObject({ iss: app.running.config.jwt.issuer, aud: 'identity', sub: agent.userId });
    expect(claims.sid).toMatch(UUID);
    expect(claims.jti).toMatch(UUID);
    expect(claims.exp - claims.iat).toBe(15 * 60);
    expect((await agent.gql(ME)).body.data?.me).toMatchObject({ id: agent.userId, email: agent.email });
  });

  it('answers me = null without a credential', async () => {
    const res = await app.client.gql(ME);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.me).toBeNull();
  });

  it('lists the current key in the JWKS with a cache lifetime, never a private part', async () => {
    const agent = await signedIn(app);
    const res = await app.client.raw('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((k) => k.kid)).toContain(decodePart(agent.accessToken!, 0).kid);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(key.d).toBeUndefined();
    }
  });

  it('stores private keys encrypted, never as plain JWK', async () => {
    const rows = await app.running.database.prisma.signingKey.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.privateKeyEnc).not.toMatch(/"d"|"kty"/);
      expect(Buffer.from(row.privateKeyEnc, 'base64').toString('utf8')).not.toMatch(/"d"/);
    }
  });

  it('refuses a token as soon as its expiry (plus clock tolerance) has passed, using the injected clock', async () => {
    const clock = new TestClock(Math.floor(Date.now() / 1000) * 1000 + 300);
    const timed = await harness.startPeer(app, jwtEnv({ JWT_CLOCK_TOLERANCE: '5s' }), { clock });
    const agent = await signedIn(timed);
    const { exp } = decodePart(agent.accessToken!, 1);
    clock.set((exp + 4) * 1000);
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(agent.userId);
    clock.set((exp + 5) * 1000);
    expectRefused(await agent.gql(ME), 'EXPIRED');
    const fresh = await signedIn(timed);
    expect((await fresh.gql(ME)).body.data?.me?.id).toBe(fresh.userId);
  });
});

describe.each(backends)('other JWT algorithms on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  beforeAll(async () => {
    harness = await createHarness(backend);
  });
  afterAll(async () => harness.stop());

  it.each([
    { alg: 'ES256', kty: 'EC' },
    { alg: 'RS256', kty: 'RSA' },
    { alg: 'HS256', kty: null },
  ])('signs and verifies with $alg', async ({ alg, kty }) => {
    const app = await harness.start(jwtEnv({ JWT_ALG: alg }));
    const agent = await signedIn(app);
    expect(decodePart(agent.accessToken!, 0).alg).toBe(alg);
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(agent.userId);
    const { keys } = (await (await app.client.raw('/.well-known/jwks.json')).json()) as { keys: Array<{ kty: string; alg: string }> };
    if (kty === null) expect(keys).toEqual([]); // an HMAC secret is never published
    else expect(keys.some((k) => k.kty === kty && k.alg === alg)).toBe(true);
    await app.stop();
  });
});
