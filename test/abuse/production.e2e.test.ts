import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/stores/database.js';
import { Agent, modeEnv, PASSWORD, uniqueEmail, type Mode } from '../helpers/agent.js';
import { createHarness, startApp, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import { errorOf } from '../helpers/client.js';

const PRODUCTION = { NODE_ENV: 'production', KEY_ENCRYPTION_KEY: 'ab'.repeat(32), REQUEST_TIMEOUT: '2s', LOG_LEVEL: 'silent' };
const SECRET_DETAIL = 'relation "secret_internal_table" at /srv/identity/src/stores/user-store.ts:42';

/** The app's own database, with Prisma's user lookups failing the way a bug would. */
function failingDatabase(real: Database): Database {
  const bind = <T extends object>(target: T, override: (key: PropertyKey) => unknown) =>
    new Proxy(target, {
      get(t, key) {
        const replaced = override(key);
        if (replaced !== undefined) return replaced;
        const value = Reflect.get(t, key);
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  const boom = async () => {
    throw new Error(SECRET_DETAIL);
  };
  const prisma = bind(real.prisma, (key) => (key === 'user' ? bind(real.prisma.user, (k) => (k === 'findUnique' ? boom : undefined)) : undefined));
  return { prisma, kind: real.kind, withConnection: real.withConnection, ping: real.ping, close: async () => {} };
}

/** Sends headers and half a body, then nothing: the request must be cut, not held open. */
function slowLoris(url: string): Promise<{ ms: number; response: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let response = '';
    const socket = net.connect(Number(port), hostname, () => {
      socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"query":');
    });
    socket.on('data', (chunk) => (response += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ ms: performance.now() - started, response }));
    setTimeout(() => socket.destroy(new Error('not cut within 15 s')), 15_000).unref();
  });
}

describe.each(backends)('production exposure on $name', (backend) => {
  describe.each<Mode>(['jwt', 'session'])('AUTH_MODE=%s', (mode) => {
    let harness: Awaited<ReturnType<typeof createHarness>>;
    let app: TestApp;
    const agent = () => new Agent(app.client);

    beforeAll(async () => {
      harness = await createHarness(backend);
      app = await harness.start({ ...modeEnv(mode), ...PRODUCTION });
    });
    afterAll(async () => harness.stop());

    it('turns introspection off and gives no "Did you mean" suggestions', async () => {
      const introspection = await agent().gql('{ __schema { queryType { name } } }');
      expect(errorOf(introspection).code).toBe('BAD_USER_INPUT');
      expect(introspection.body.data).toBeUndefined();
      for (const typo of ['{ authMod }', '{ me { emai } }', 'mutation { logut }']) {
        const res = await agent().gql(typo);
        expect(errorOf(res).code).toBe('BAD_USER_INPUT');
        expect(JSON.stringify(res.body)).not.toMatch(/Did you mean|authMode|email|logout/);
      }
    });

    it('serves the production landing page, not Sandbox', async () => {
      const html = await (await app.client.raw('/graphql', { headers: { accept: 'text/html' } })).text();
      expect(html).toContain(encodeURIComponent('"isProd":true'));
      expect(html).not.toMatch(/embeddable-sandbox\.umd|"includeCookies"/);
    });

    it('masks an internal error: no message, no stack, no detail', async () => {
      const broken = await startApp({ ...harness.env, ...modeEnv(mode), ...PRODUCTION }, { database: failingDatabase(app.running.database) });
      try {
        const res = await new Agent(broken.client).login(uniqueEmail('masked'), PASSWORD);
        expect(res.body.errors).toEqual([{ message: 'Internal server error', path: ['login'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
        expect(JSON.stringify(res.body)).not.toMatch(/secret_internal_table|\/srv\/|stack|user-store/);
      } finally {
        await broken.stop();
      }
    });

    it('gives client errors without a stack trace', async () => {
      const res = await agent().gql('{ authMode ');
      expect(errorOf(res).code).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.body)).not.toMatch(/stacktrace|at .*\.js:\d+/);
    });

    it('refuses a body over 100 kB with 413', async () => {
      const res = await app.client.raw('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ authMode }', variables: { pad: 'x'.repeat(200 * 1024) } }),
      });
      expect(res.status).toBe(413);
    });

    it('cuts a request whose body never finishes arriving (REQUEST_TIMEOUT)', async () => {
      const { ms, response } = await slowLoris(app.url);
      console.info(`[abuse] ${mode}/${backend.name}: slow-loris request cut after ${ms.toFixed(0)} ms (REQUEST_TIMEOUT=2s)`);
      expect(response).toMatch(/^HTTP\/1\.1 408/);
      expect(ms).toBeGreaterThanOrEqual(1_900);
      expect(ms).toBeLessThan(10_000);
      expect((await agent().gql('{ authMode }')).body.data).toEqual({ authMode: mode.toUpperCase() });
    });

    it('sends security headers suited to a JSON API, on GraphQL responses too', async () => {
      const res = await agent().gql('{ authMode }');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-powered-by')).toBeNull();
    });
  });
});
