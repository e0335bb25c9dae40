import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createPostgresDatabase, TEST_DATABASE_URL } from '../helpers/backends.js';
import { createHarness, startApp, type TestApp } from '../helpers/app.js';
import { Agent, modeEnv, PASSWORD, uniqueEmail } from '../helpers/agent.js';
import { errorOf } from '../helpers/client.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

describe.each(backends)('operations on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start({ ...modeEnv('jwt'), CORS_ORIGINS: 'https://app.example.com' });
  });
  afterAll(async () => harness.stop());

  it('answers /healthz and /readyz with every dependency checked', async () => {
    expect((await app.client.raw('/healthz')).status).toBe(200);
    const ready = await app.client.raw('/readyz');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as any;
    expect(body.checks).toMatchObject({ database: 'ok', [backend.name === 'embedded' ? 'stateStore' : 'redis']: 'ok' });
  });

  it('exposes Prometheus metrics with requests and auth outcomes by operation', async () => {
    const a = new Agent(app.client);
    await a.register(uniqueEmail('metrics'), PASSWORD);
    await a.login(uniqueEmail('nobody'), PASSWORD);
    const res = await app.client.raw('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/process_cpu_user_seconds_total/);
    expect(text).toMatch(/auth_outcomes_total\{operation="register",outcome="ok",reason=""\} 1/);
    expect(text).toMatch(/auth_outcomes_total\{operation="login",outcome="UNAUTHENTICATED",reason="BAD_CREDENTIALS"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/graphql",status="200"\}/);
  });

  it('allows credentials only for listed origins', async () => {
    const preflight = (origin: string) =>
      app.client.raw('/graphql', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const listed = await preflight('https://app.example.com');
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await preflight('https://evil.example.com');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves Apollo Sandbox to a browser outside production, with cookies included', async () => {
    const res = await app.client.raw('/graphql', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/sandbox/i);
    expect(html).toMatch(/"includeCookies":true/);
  });

  it('upgrades a hash made with older argon2 parameters at the next successful login', async () => {
    const email = uniqueEmail('rehash');
    await new Agent(app.client).register(email, PASSWORD);
    const stronger = await harness.startPeer(app, { ...modeEnv('jwt'), ARGON2_MEMORY_KIB: '2048', ARGON2_TIME_COST: '2' });
    const before = await app.running.database.prisma.user.findUniqueOrThrow({ where: { email } });
    expect(before.passwordHash).toMatch(/m=1024,t=1,p=1/);
    expect((await new Agent(stronger.client).login(email, 'wrong password!!')).body.errors).toBeDefined();
    expect((await app.running.database.prisma.user.findUniqueOrThrow({ where: { email } })).passwordHash).toBe(before.passwordHash);
    expect((await new Agent(stronger.client).login(email, PASSWORD)).body.errors).toBeUndefined();
    const after = await app.running.database.prisma.user.findUniqueOrThrow({ where: { email } });
    expect(after.passwordHash).toMatch(/m=2048,t=2,p=1/);
    expect(after.passwordChangedAt.getTime()).toBe(before.passwordChangedAt.getTime());
    expect((await new Agent(app.client).login(email, PASSWORD)).body.errors).toBeUndefined();
  });
});

describe('production exposure', () => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;
  beforeAll(async () => {
    harness = await createHarness(backends[0]!);
    app = await harness.start({ ...modeEnv('jwt'), NODE_ENV: 'production', KEY_ENCRYPTION_KEY: 'cd'.repeat(32) });
  });
  afterAll(async () => harness.stop());

  it('turns introspection off and hides schema suggestions', async () => {
    const a = new Agent(app.client);
    const res = await a.gql('{ __schema { types { name } } }');
    expect(errorOf(res).code).toBe('BAD_USER_INPUT');
    const typo = await a.gql('{ authMod }');
    expect(errorOf(typo).message).not.toMatch(/Did you mean/);
  });

  it('shows the production landing page instead of Sandbox', async () => {
    const html = await (await app.client.raw('/graphql', { headers: { accept: 'text/html' } })).text();
    // The production page's CSP names the Sandbox CDN; what matters is that it does not load it.
    expect(html).not.toMatch(/embeddable-sandbox\.umd|"includeCookies"/);
  });

  it('sends security headers suited to a JSON API', async () => {
    const res = await app.client.raw('/healthz');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('a request that arrives during the first boot', () => {
  it('waits for migrations and keys instead of failing', async () => {
    const harness = await createHarness(backends[0]!);
    try {
      const app = await harness.start(modeEnv('jwt'), {}, { waitReady: false });
      const res = await new Agent(app.client).register(uniqueEmail('early'), PASSWORD);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.register.accessToken).toEqual(expect.any(String));
    } finally {
      await harness.stop();
    }
  });
});

describe('a boot fault that retrying cannot mend', () => {
  it('stops the boot once, naming it, when KEY_ENCRYPTION_KEY cannot decrypt the stored keys', async () => {
    const harness = await createHarness(backends[0]!);
    try {
      const first = await harness.start(modeEnv('jwt'));
      await first.stop();
      const fatal: unknown[] = [];
      const second = await harness.start(
        { ...modeEnv('jwt'), KEY_ENCRYPTION_KEY: 'ef'.repeat(32) },
        { onFatal: (error) => fatal.push(error) },
        { waitReady: false },
      );
      await expect(second.running.ready()).rejects.toThrow(/KEY_ENCRYPTION_KEY/);
      expect(fatal).toHaveLength(1);
      expect(String(fatal[0])).not.toMatch(/ef{8}/i);
      expect((await second.client.raw('/readyz')).status).toBe(503);
    } finally {
      await harness.stop();
    }
  });
});

describe('a database that does not answer', () => {
  it('keeps serving: /healthz 200, /readyz 503 naming the database, GraphQL a clear 503', async () => {
    const app = await startAppNotReady({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      expect((await app.client.raw('/healthz')).status).toBe(200);
      const ready = await app.client.raw('/readyz');
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as any).failed).toContain('database');
      const res = await new Agent(app.client).register(uniqueEmail(), PASSWORD);
      expect(res.status).toBe(503);
      expect(errorOf(res).code).toBe('INTERNAL_SERVER_ERROR');
      expect(errorOf(res).message).toMatch(/database/);
    } finally {
      await app.stop();
    }
  });

  it.runIf(TEST_DATABASE_URL)('recovers by itself when the database comes back', async () => {
    const db = await createPostgresDatabase(TEST_DATABASE_URL!);
    const proxy = await startTcpProxy(Number(new URL(TEST_DATABASE_URL!).port || 5432));
    await proxy.stop();
    const url = new URL(db.url);
    url.port = String(proxy.port);
    const app = await startAppNotReady({ DATABASE_URL: url.toString() });
    try {
      expect((await app.client.raw('/readyz')).status).toBe(503);
      await proxy.start();
      await app.running.ready();
      expect((await app.client.raw('/readyz')).status).toBe(200);
      expect((await new Agent(app.client).register(uniqueEmail('back'), PASSWORD)).body.errors).toBeUndefined();
    } finally {
      await app.stop();
      await proxy.stop();
      await db.drop();
    }
  });
});

/** An app that may not become ready (its database is down): tests talk to it while it is not. */
const startAppNotReady = (env: Record<string, string>) => startApp(env, {}, { waitReady: false });
