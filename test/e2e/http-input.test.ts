import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends.js';
import { createHarness, type TestApp } from '../helpers/app.js';
import { Agent, modeEnv, PASSWORD, uniqueEmail } from '../helpers/agent.js';
import { errorOf } from '../helpers/client.js';

/** Malformed requests: each gets a clear 4xx or contract code, changes nothing, and the next request is served. */
describe.each(backends)('bad HTTP input on $name', (backend) => {
  let harness: Awaited<ReturnType<typeof createHarness>>;
  let app: TestApp;

  beforeAll(async () => {
    harness = await createHarness(backend);
    app = await harness.start(modeEnv('jwt'));
  });
  afterAll(async () => harness.stop());

  const post = (body: string | Uint8Array, contentType = 'application/json', extra: Record<string, string> = {}) =>
    app.client.raw('/graphql', { method: 'POST', headers: { 'content-type': contentType, ...extra }, body });

  async function stillServes() {
    const res = await new Agent(app.client).gql('{ authMode }');
    expect(res.body.data).toEqual({ authMode: 'JWT' });
  }

  it('answers malformed JSON with 400 and BAD_USER_INPUT', async () => {
    const res = await post('{"query": "{ authMode }"');
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    await stillServes();
  });

  it('answers a JSON body that is not a GraphQL request with 400', async () => {
    const res = await post(JSON.stringify({ hello: 'world' }));
    expect(res.status).toBe(400);
    await stillServes();
  });

  it('refuses a 10 MB body with 413 before reading it all', async () => {
    const res = await post(JSON.stringify({ query: '{ authMode }', variables: { pad: 'x'.repeat(10 * 1024 * 1024) } }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    await stillServes();
  });

  it('answers unknown fields and wrong types with BAD_USER_INPUT', async () => {
    const a = new Agent(app.client);
    const unknownField = await a.gql('{ me { id password } }');
    expect(unknownField.status).toBe(400);
    expect(errorOf(unknownField).code).toBe('BAD_USER_INPUT');
    const wrongType = await a.gql('mutation($i: CredentialsInput!) { register(input: $i) { mode } }', {
      i: { email: 42, password: true },
    });
    expect(errorOf(wrongType).code).toBe('BAD_USER_INPUT');
    const extraInput = await a.gql('mutation($i: CredentialsInput!) { register(input: $i) { mode } }', {
      i: { email: uniqueEmail(), password: PASSWORD, admin: true },
    });
    expect(errorOf(extraInput).code).toBe('BAD_USER_INPUT');
    await stillServes();
  });

  it('refuses a mutation sent as text/plain (CSRF prevention) and creates nothing', async () => {
    const email = uniqueEmail('csrf');
    const res = await post(JSON.stringify({ query: `mutation { register(input: {email: "${email}", password: "${PASSWORD}"}) { mode } }` }), 'text/plain');
    expect(res.status).toBe(400);
    expect(await app.running.database.prisma.user.count({ where: { email } })).toBe(0);
    await stillServes();
  });

  it('answers a parse error with BAD_USER_INPUT', async () => {
    const res = await new Agent(app.client).gql('{ authMode ');
    expect(errorOf(res).code).toBe('BAD_USER_INPUT');
  });

  it('answers unknown paths with 404', async () => {
    expect((await app.client.raw('/nope')).status).toBe(404);
  });
});
