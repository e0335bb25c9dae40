import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type Backend } from '../helpers/backends.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { errorOf, type GqlResponse } from '../helpers/client.js';
import { FlakyStateStore } from './support/flaky-state-store.js';
import { jwtEnv, ME, signedIn, within } from './support/jwt-helpers.js';
import { startPrivateRedis } from '../../src/bench/redis-server.js';

const REFRESH = 'mutation($t: String) { refresh(refreshToken: $t) { accessToken refreshToken } }';
/** Every request during the outage must answer well within this (STATE_STORE_TIMEOUT is 1 s). */
const ANSWER_BOUND_MS = 3_000;

interface Outage {
  env: Record<string, string>;
  stateStore?: FlakyStateStore;
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

/** Embedded: the in-process store switched off; real: a private redis-server killed and restarted. */
async function outageFor(backend: Backend): Promise<Outage> {
  if (backend.name === 'embedded') {
    const store = new FlakyStateStore();
    return { env: {}, stateStore: store, kill: async () => store.kill(), revive: async () => store.revive(), close: () => store.close() };
  }
  const redis = await startPrivateRedis();
  return { env: { REDIS_URL: redis.url }, kill: redis.kill, revive: redis.restart, close: redis.kill };
}

const isFailClosed = (res: GqlResponse) =>
  res.status === 503 && errorOf(res).code === 'INTERNAL_SERVER_ERROR' && res.body.errors?.[0]?.extensions?.dependency === 'state store';

describe.each(backends)('state store outage on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let outage: Outage;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    outage = await outageFor(backend);
    const env = jwtEnv({ ...outage.env, REFRESH_REUSE_GRACE: '0', STATE_STORE_TIMEOUT: '1s' });
    a = await harness.start(env, outage.stateStore ? { stateStore: outage.stateStore } : {});
    b = await harness.startPeer(a, env);
  });
  afterAll(async () => {
    await outage.revive().catch(() => {});
    await harness.stop();
    await outage.close();
  });

  /** Sends a request and checks it answered within the bound. */
  async function timed(send: () => Promise<GqlResponse>): Promise<GqlResponse> {
    const start = performance.now();
    const res = await send();
    expect(performance.now() - start).toBeLessThan(ANSWER_BOUND_MS);
    return res;
  }

  it('fails closed, never accepts a token revoked meanwhile, answers promptly, and recovers', async () => {
    const user = await signedIn(a, 'steady');
    const victim = await signedIn(a, 'victim');
    const stolenRefresh = victim.refreshToken!;
    expect((await victim.refresh()).body.errors).toBeUndefined();
    const meOn = (app: TestApp, token: string) => timed(() => app.client.gql(ME, {}, { bearer: token }));
    expect((await meOn(b, victim.accessToken!)).body.data?.me?.id).toBe(victim.userId);

    await outage.kill();
    // Within the bound B stops trusting its replica: a 503 naming the state store, not data.
    const closedAfter = await within(ANSWER_BOUND_MS, async () => isFailClosed(await meOn(b, user.accessToken!)));
    expect((await a.client.raw('/readyz')).status).toBe(503);

    // A replayed refresh token is theft: the family is revoked in the database (the notice
    // cannot be published). A refresh needs no state store, so this works during the outage.
    const replay = await timed(() => a.client.gql(REFRESH, { t: stolenRefresh }));
    expect(errorOf(replay).reason).toBe('REUSED');
    for (let i = 0; i < 10; i++) {
      for (const app of [a, b]) {
        const res = await meOn(app, victim.accessToken!);
        expect(res.body.data?.me ?? null).toBeNull();
        expect(isFailClosed(res) || errorOf(res).reason === 'REVOKED').toBe(true);
      }
    }

    await outage.revive();
    // After reconnecting, B reloads from the database: the steady user works, the victim is refused.
    const recoveredAfter = await within(15_000, async () => (await meOn(b, user.accessToken!)).body.data?.me?.id === user.userId, 50);
    console.log(`[measure] ${backend.name}: failed closed ${closedAfter.toFixed(0)} ms after the outage began; served again ${recoveredAfter.toFixed(0)} ms after the store came back`);
    expect(errorOf(await meOn(b, victim.accessToken!)).reason).toBe('REVOKED');
    // A reconnects on its own schedule (each instance has its own client and back-off).
    await within(15_000, async () => (await meOn(a, user.accessToken!)).body.data?.me?.id === user.userId, 50);
    expect(errorOf(await meOn(a, victim.accessToken!)).reason).toBe('REVOKED');
    await within(5_000, async () => (await a.client.raw('/readyz')).status === 200, 100);
  });

  it('never half-applies a refresh during an outage', async () => {
    const agent = await signedIn(a, 'refresh-outage');
    const token = agent.refreshToken!;
    await outage.kill();
    try {
      const res = await timed(() => a.client.gql(REFRESH, { t: token }));
      const prisma = a.running.database.prisma;
      const rows = await prisma.refreshToken.findMany({ where: { family: { userId: agent.userId } } });
      if (res.body.errors) {
        // Refused (e.g. a limiter that needs the state store): nothing consumed.
        expect(rows.every((r) => r.usedAt === null)).toBe(true);
      } else {
        // Served: the old token consumed and exactly one new one stored, in one step.
        expect(rows.filter((r) => r.usedAt !== null)).toHaveLength(1);
        expect(rows).toHaveLength(2);
      }
    } finally {
      await outage.revive();
    }
    await within(15_000, async () => (await agent.gql(ME)).body.data?.me?.id === agent.userId, 100);
  });
});
