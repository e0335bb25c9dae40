import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, modeEnv, PASSWORD, uniqueEmail, type Mode } from '../helpers/agent.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import { errorOf } from '../helpers/client.js';
import { countingHasher, stillServesOthers } from './helpers.js';

const creds = (email: string, password = 'not the password') => `(input: { email: "${email}", password: "${password}" }) { mode }`;

/** Bad input that costs the attacker little and must cost the service little too. */
describe.each(backends)('operation limits on $name', (backend) => {
  describe.each<Mode>(['jwt', 'session'])('AUTH_MODE=%s', (mode) => {
    let harness: Awaited<ReturnType<typeof createHarness>>;
    let app: TestApp;
    const counting = countingHasher();
    const gql = (query: string, variables?: Record<string, unknown>) => new Agent(app.client).gql(query, variables);
    const post = (body: string) => app.client.raw('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const loginEvents = () => app.running.audit.flush().then(() => app.running.database.prisma.authEvent.count({ where: { type: 'login' } }));

    beforeAll(async () => {
      harness = await createHarness(backend);
      app = await harness.start(modeEnv(mode), { hasher: counting.hasher });
    });
    afterAll(async () => harness.stop());

    /** The request was refused before any resolver ran: no password check, no login event. */
    async function refusedUpFront(send: () => Promise<{ status: number; code?: string; message?: string }>, label: string) {
      const [checks, events] = [counting.counts.verify, await loginEvents()];
      const started = performance.now();
      const { status, code, message } = await send();
      console.info(`[abuse] ${mode}/${backend.name}: ${label} refused in ${(performance.now() - started).toFixed(0)} ms: ${status} ${message}`);
      expect(status).toBe(400);
      expect(code).toBe('BAD_USER_INPUT');
      expect(counting.counts.verify).toBe(checks);
      expect(await loginEvents()).toBe(events);
      return message ?? '';
    }
    const viaGql = (query: string) => async () => {
      const res = await gql(query);
      return { status: res.status, ...errorOf(res) };
    };

    it('runs no password check for 50 aliased logins in one operation', async () => {
      const email = uniqueEmail('alias');
      await new Agent(app.client).register(email, PASSWORD);
      const doc = `mutation { ${Array.from({ length: 50 }, (_, i) => `a${i}: login${creds(email, i === 49 ? PASSWORD : 'wrong')}`).join(' ')} }`;
      await refusedUpFront(viaGql(doc), '50 aliased logins');
    });

    it('runs no password check for two logins in one operation, even under the alias limit', async () => {
      const message = await refusedUpFront(viaGql(`mutation { a: login${creds('a@example.com')} b: login${creds('b@example.com')} }`), 'two aliased logins');
      expect(message).toMatch(/At most one of register, login, refresh, changePassword/);
      const viaFragments = `mutation { ...L ...L } fragment L on Mutation { login${creds('a@example.com')} }`;
      await refusedUpFront(viaGql(viaFragments), 'one login fragment spread twice');
    });

    it('allows 15 aliases and refuses 16', async () => {
      const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: authMode`).join(' ')} }`;
      expect((await gql(aliases(15))).body.errors).toBeUndefined();
      expect(await refusedUpFront(viaGql(aliases(16)), '16 aliases')).toMatch(/Aliases limit of 15/);
    });

    it('refuses 10,000 aliases while parsing', async () => {
      const doc = `{${'a:me{id}'.repeat(10_000)}}`;
      expect(await refusedUpFront(viaGql(doc), '10,000 aliases')).toMatch(/more tha\w* 1000 tokens/);
      await stillServesOthers(app, `${mode}/${backend.name} after 10,000 aliases`);
    });

    it('refuses a query nested 1,000 deep, and one just past the depth limit', async () => {
      const deep = `{ ${'... on Query { '.repeat(1_000)}authMode${' }'.repeat(1_000)} }`;
      expect(await refusedUpFront(viaGql(deep), 'a query nested 1,000 deep')).toMatch(/tokens/);
      expect(await refusedUpFront(viaGql(`{ ${'me { '.repeat(7)}id${' }'.repeat(7)} }`), 'depth 7')).toMatch(/depth limit of 6/);
      await stillServesOthers(app, `${mode}/${backend.name} after deep queries`);
    });

    it('refuses a fragment bomb by its cost', async () => {
      const fragments = ['fragment F0 on Query { sessions { id createdAt expiresAt ip current } }',
        ...Array.from({ length: 6 }, (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} ...F${i} ...F${i} }`)];
      expect(await refusedUpFront(viaGql(`{ ...F6 } ${fragments.join(' ')}`), 'a fragment bomb')).toMatch(/Cost limit of 5000/);
    });

    it('refuses an array batch of 1,000 operations without running any', async () => {
      const tag = `b${Date.now() % 1_000_000}`;
      const batch = Array.from({ length: 1_000 }, (_, i) => ({ query: `mutation{register(input:{email:"${tag}.${i}@x.io",password:"pw345678"}){mode}}` }));
      const body = JSON.stringify(batch);
      expect(body.length).toBeLessThan(100 * 1024); // under the body limit: refused as a batch
      await refusedUpFront(async () => {
        const res = await post(body);
        const { errors } = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
        return { status: res.status, code: errors[0]!.extensions.code, message: errors[0]!.message };
      }, 'an array batch of 1,000 operations');
      expect(await app.running.database.prisma.user.count({ where: { email: { startsWith: tag } } })).toBe(0);
      await stillServesOthers(app, `${mode}/${backend.name} after a batch of 1,000`);
    });

    it('answers a 1 MB query with 413 from the body limit', async () => {
      const res = await post(JSON.stringify({ query: `{ authMode ${'#'.repeat(1024 * 1024)}\n}` }));
      expect(res.status).toBe(413);
      expect(((await res.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
      await stillServesOthers(app, `${mode}/${backend.name} after a 1 MB query`);
    });

    it('refuses a 1 MB password before hashing: 413 at the body limit, and a 99 KB one by the length check', async () => {
      const email = uniqueEmail('bigpw');
      await new Agent(app.client).register(email, PASSWORD);
      const mutation = 'mutation($i: CredentialsInput!) { login(input: $i) { mode } }';
      let started = performance.now();
      const huge = await post(JSON.stringify({ query: mutation, variables: { i: { email, password: 'x'.repeat(1024 * 1024) } } }));
      const hugeMs = performance.now() - started;
      expect(huge.status).toBe(413);
      const [verifies, hashes] = [counting.counts.verify, counting.counts.hash];
      started = performance.now();
      const login = await gql(mutation, { i: { email, password: 'x'.repeat(99 * 1024) } });
      const loginMs = performance.now() - started;
      started = performance.now();
      const register = await gql('mutation($i: CredentialsInput!) { register(input: $i) { mode } }', { i: { email: uniqueEmail('bigpw'), password: 'x'.repeat(99 * 1024) } });
      const registerMs = performance.now() - started;
      console.info(`[abuse] ${mode}/${backend.name}: 1 MB password refused in ${hugeMs.toFixed(1)} ms (413); 99 KB password: login ${loginMs.toFixed(1)} ms, register ${registerMs.toFixed(1)} ms`);
      expect(errorOf(login)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'BAD_CREDENTIALS' });
      expect(errorOf(register).code).toBe('BAD_USER_INPUT');
      expect([counting.counts.verify, counting.counts.hash]).toEqual([verifies, hashes]);
      await stillServesOthers(app, `${mode}/${backend.name} after a 1 MB password`);
    });
  });
});
