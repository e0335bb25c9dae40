import { expect } from 'vitest';
import { createPasswordHasher, type Argon2Params, type PasswordHasher } from '../../src/auth/passwords.js';
import { Agent, PASSWORD, PAYLOAD, uniqueEmail } from '../helpers/agent.js';
import type { TestApp } from '../helpers/app.js';
import { errorOf, type GqlResponse } from '../helpers/client.js';

/** The service's default per-address limits (the harness raises them for other suites). */
export const DEFAULT_LIMITS = { REGISTER_IP_LIMIT: '20', REFRESH_IP_LIMIT: '300', LOGIN_IP_MAX_FAILURES: '100' };

/** X-Forwarded-For is believed from loopback only: tests play many clients from one host. */
export const PROXIED = { TRUST_PROXY: 'loopback' };

let nextAddress = 1;
/** A client address no other test in this process uses (TEST-NET-2, 198.18.0.0/15). */
export const freshIp = () => `198.18.${Math.floor(nextAddress / 250) % 250}.${(nextAddress++ % 250) + 1}`;

export const from = (ip: string) => ({ 'x-forwarded-for': ip });

const LOGIN = `mutation($i: CredentialsInput!) { login(input: $i) { ${PAYLOAD} } }`;
const REGISTER = `mutation($i: CredentialsInput!) { register(input: $i) { ${PAYLOAD} } }`;

export const loginFrom = (agent: Agent, ip: string, email: string, password: string) =>
  agent.gql(LOGIN, { i: { email, password } }, from(ip));

export const registerFrom = (agent: Agent, ip: string, email: string, password = PASSWORD) =>
  agent.gql(REGISTER, { i: { email, password } }, from(ip));

/** A hasher that counts the argon2 work it is asked to do (verifications include the dummy). */
export function countingHasher(params: Argon2Params = { memoryCost: 1024, timeCost: 1, parallelism: 1 }) {
  const inner = createPasswordHasher(params);
  const counts = { verify: 0, hash: 0 };
  const hasher: PasswordHasher = {
    ...inner,
    verify: (hash, password) => (counts.verify++, inner.verify(hash, password)),
    verifyDummy: (password) => (counts.verify++, inner.verifyDummy(password)),
    hash: (password) => (counts.hash++, inner.hash(password)),
  };
  return { hasher, counts };
}

/** Runs `total` tasks with at most `concurrency` in flight. */
export async function inParallel<T>(total: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return results;
}

/** Counts responses by error code ('ok' for none). */
export const tally = (responses: GqlResponse[]) =>
  responses.reduce<Record<string, number>>((acc, r) => {
    const code = errorOf(r).code ?? 'ok';
    acc[code] = (acc[code] ?? 0) + 1;
    return acc;
  }, {});

/**
 * Proof that the process still serves everyone else at normal speed: a new user registers
 * and signs in from another address. The time is printed; the bound is only against a hang.
 */
export async function stillServesOthers(app: TestApp, label: string): Promise<void> {
  const started = performance.now();
  const agent = new Agent(app.client);
  const email = uniqueEmail('bystander');
  const ip = freshIp();
  expect((await registerFrom(agent, ip, email)).body.errors).toBeUndefined();
  expect((await loginFrom(new Agent(app.client), ip, email, PASSWORD)).body.errors).toBeUndefined();
  const ms = performance.now() - started;
  console.info(`[abuse] ${label}: a bystander registered and signed in in ${ms.toFixed(0)} ms`);
  expect(ms).toBeLessThan(10_000);
}
