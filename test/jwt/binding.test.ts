import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { decodePart, expectRefused, jwtEnv, ME, signedIn } from './support/jwt-helpers.js';

const REFRESH = 'mutation($t: String) { refresh(refreshToken: $t) { accessToken refreshToken } }';

describe.each(backends)('TOKEN_BINDING=user-agent on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(jwtEnv({ TOKEN_BINDING: 'user-agent' }));
  });
  afterAll(async () => harness.stop());

  it('binds a login to its User-Agent: a token presented from another one is INVALID', async () => {
    const agent = await signedIn(app);
    expect(decodePart(agent.accessToken!, 1).uah).toMatch(/^[0-9a-f]{16}$/);
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(agent.userId);
    expectRefused(await app.client.gql(ME, {}, { bearer: agent.accessToken!, headers: { 'user-agent': 'curl/8.0' } }), 'INVALID');
    expectRefused(await app.client.gql(ME, {}, { bearer: agent.accessToken! }), 'INVALID'); // no User-Agent at all
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(agent.userId);
  });

  it('refuses a refresh from another User-Agent without consuming the token', async () => {
    const agent = await signedIn(app);
    const stolen = await app.client.gql(REFRESH, { t: agent.refreshToken }, { headers: { 'user-agent': 'curl/8.0' } });
    expectRefused(stolen, 'INVALID');
    const res = await agent.refresh();
    expect(res.body.errors).toBeUndefined();
    expect((await agent.gql(ME)).body.data?.me?.id).toBe(agent.userId);
  });

  it('does not bind when TOKEN_BINDING is none (the default)', async () => {
    const loose = await harness.startPeer(app, jwtEnv());
    const agent = await signedIn(loose);
    expect(decodePart(agent.accessToken!, 1).uah).toBeUndefined();
    expect((await loose.client.gql(ME, {}, { bearer: agent.accessToken!, headers: { 'user-agent': 'curl/8.0' } })).body.data?.me?.id).toBe(agent.userId);
    await loose.stop();
  });
});
