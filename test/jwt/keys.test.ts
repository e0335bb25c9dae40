import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwtStrategy } from '../../src/auth/jwt/jwt-strategy.js';
import { retiredKeyLifetimeMs, rotateSigningKey } from '../../src/auth/jwt/signing-keys.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { MemoryStateStore } from '../../src/stores/memory-state-store.js';
import { createUserStore } from '../../src/stores/user-store.js';
import { backends } from '../helpers/backends.js';
import { createHarness, FAST_ARGON2, TestClock, type TestApp } from '../helpers/app.js';
import { decodePart, jwtEnv, ME, signedIn, strategyOf, TEST_KEK, within } from './support/jwt-helpers.js';

const run = promisify(execFile);
const kidOf = (token: string) => decodePart(token, 0).kid as string;
const jwksKids = async (app: TestApp): Promise<string[]> =>
  ((await (await app.client.raw('/.well-known/jwks.json')).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);

describe.each(backends)('signing-key rotation on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;
  let clock: TestClock;

  beforeAll(async () => {
    harness = await createHarness(backend);
    clock = new TestClock();
    app = await harness.start(jwtEnv({ KEY_ROTATION_INTERVAL: '30d', JWKS_MAX_AGE: '5m' }), { clock });
  });
  afterAll(async () => harness.stop());

  it('publishes a new key before it signs, and the previous key verifies until its tokens expired', async () => {
    const config = app.running.config;
    const agent = await signedIn(app);
    const k1 = kidOf(agent.accessToken!);
    const k2 = await strategyOf(app).rotateKeys();
    expect(await jwksKids(app)).toEqual([k1, k2]);
    expect(kidOf((await signedIn(app)).accessToken!)).toBe(k1); // not active yet

    // One JWKS cache period (plus the reload interval) later the new key signs.
    clock.advance(config.jwt.jwksMaxAgeMs + 30_000);
    const later = await signedIn(app);
    expect(kidOf(later.accessToken!)).toBe(k2);
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(agent.userId);
    expect(await jwksKids(app)).toEqual([k1, k2]);

    // The old key leaves once everything it signed has expired, not before.
    await strategyOf(app).maintain();
    const row = await app.running.database.prisma.signingKey.findUniqueOrThrow({ where: { kid: k1 } });
    expect(row.retiredAt).not.toBeNull();
    const successor = await app.running.database.prisma.signingKey.findUniqueOrThrow({ where: { kid: k2 } });
    expect(row.retiredAt).toEqual(successor.activatesAt);
    expect(row.expiresAt!.getTime() - row.retiredAt!.getTime()).toBe(retiredKeyLifetimeMs(config));
    expect(retiredKeyLifetimeMs(config)).toBeGreaterThanOrEqual(config.jwt.accessTtlMs + config.jwt.clockToleranceMs);
    clock.set(row.expiresAt!.getTime() - 1_000);
    expect(await jwksKids(app)).toEqual([k1, k2]);
    clock.set(row.expiresAt!.getTime() + 1);
    expect(await jwksKids(app)).toEqual([k2]);
    await strategyOf(app).maintain();
    expect(await app.running.database.prisma.signingKey.findUnique({ where: { kid: k1 } })).toBeNull();
    const fresh = await signedIn(app);
    expect((await fresh.gql(ME)).body.data?.me?.id).toBe(fresh.userId);
  });

  it('rotates by itself every KEY_ROTATION_INTERVAL', async () => {
    const before = await jwksKids(app);
    await strategyOf(app).maintain();
    expect(await jwksKids(app)).toEqual(before); // not due
    clock.advance(30 * 86_400_000);
    await strategyOf(app).maintain();
    const after = await jwksKids(app);
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(0, before.length)).toEqual(before);
  });

  it('adds one key when several instances find a rotation due at once', async () => {
    clock.advance(31 * 86_400_000);
    const { prisma } = app.running.database;
    const { config } = app.running;
    const before = await prisma.signingKey.count();
    const added = await Promise.all(Array.from({ length: 5 }, () => rotateSigningKey(prisma, config, () => clock.now(), 'scheduled')));
    expect(added.filter(Boolean)).toHaveLength(1);
    expect(await prisma.signingKey.count()).toBe(before + 1);
  });

  it('every running instance picks up a rotation without a restart', async () => {
    const peer = await harness.startPeer(app, jwtEnv({ KEY_ROTATION_INTERVAL: '30d', JWKS_MAX_AGE: '5m' }), { clock });
    const kid = await strategyOf(app).rotateKeys();
    await within(1_000, async () => (await jwksKids(peer)).includes(kid));
    await peer.stop();
  });

  it('an instance that has not seen a new key yet reloads once on its unknown kid', async () => {
    const peer = await harness.startPeer(app, jwtEnv({ KEY_ROTATION_INTERVAL: '30d', JWKS_MAX_AGE: '5m' }), { clock });
    clock.advance(1_000); // after any key an earlier test added
    // Added behind everyone's back (no notice), then made active on A only.
    const kid = (await rotateSigningKey(app.running.database.prisma, app.running.config, () => clock.now(), 'forced'))!;
    clock.advance(app.running.config.jwt.jwksMaxAgeMs + 30_001);
    await strategyOf(app).maintain();
    expect(await jwksKids(peer)).not.toContain(kid);
    const agent = await signedIn(app);
    expect(kidOf(agent.accessToken!)).toBe(kid);
    expect((await peer.client.gql(ME, {}, { bearer: agent.accessToken! })).body.data?.me?.id).toBe(agent.userId);
    await peer.stop();
  });
});

describe.each(backends)('signing keys across restarts on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  beforeAll(async () => {
    harness = await createHarness(backend);
  });
  afterAll(async () => harness.stop());

  it('a token issued before a restart verifies after it', async () => {
    const first = await harness.start(jwtEnv());
    const agent = await signedIn(first);
    await first.stop();
    const second = await harness.start(jwtEnv());
    expect((await second.client.gql(ME, {}, { bearer: agent.accessToken! })).body.data?.me?.id).toBe(agent.userId);
    await second.stop();
  });

  it('refuses to start with another KEY_ENCRYPTION_KEY, naming the setting and no secret', async () => {
    const app = await harness.start(jwtEnv());
    const wrong = randomBytes(32).toString('hex');
    const config = loadConfig({ ...harness.env, ...FAST_ARGON2, ...jwtEnv({ KEY_ENCRYPTION_KEY: wrong }), NODE_ENV: 'test' });
    const prisma = app.running.database.prisma;
    const state = new MemoryStateStore();
    const strategy = createJwtStrategy({
      config, clock: { now: () => Date.now() }, prisma, stateStore: state, redis: undefined,
      users: createUserStore(prisma), logger: createLogger('silent'),
    });
    const error = await strategy.start().then(() => null, (e: Error) => e);
    await strategy.stop();
    await state.close();
    expect(error?.message).toMatch(/KEY_ENCRYPTION_KEY/);
    expect(error?.message).not.toContain(wrong);
    expect(error?.message).not.toContain(TEST_KEK);
    expect(await prisma.signingKey.count({ where: { alg: 'EdDSA' } })).toBe(1); // nothing written
    await app.stop();
  });

  it('npm run keys:rotate adds a key that the service publishes, printing no secret', async () => {
    const env = { ...process.env, ...harness.env, ...jwtEnv(), NODE_ENV: 'test' };
    // The embedded database serves one process: the service is stopped while the tool runs.
    const live = backend.name === 'embedded' ? undefined : await harness.start(jwtEnv());
    const { stdout } = await run('npx', ['tsx', 'src/cli/rotate-keys.ts'], { env, timeout: 60_000 });
    const kid = /new signing key ([A-Za-z0-9_-]+)/.exec(stdout)?.[1];
    expect(kid).toBeDefined();
    expect(stdout).not.toContain(TEST_KEK);
    expect(stdout).not.toMatch(/"d"|privateKey|BEGIN/);
    const app = live ?? (await harness.start(jwtEnv()));
    await within(2_000, async () => (await jwksKids(app)).includes(kid!));
    await app.stop();
  });
});
