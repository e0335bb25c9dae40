import type { Mode } from './app-env.js';
import { startGroup } from './app-group.js';
import type { BenchBackend } from './backend.js';
import { cloneCredential, createGqlClient, failureOf, newCredential, type GqlResult } from './gql-client.js';
import { must, ops, type Ops } from './operations.js';
import { startPrivateRedis } from './redis-server.js';
import { round } from './stats.js';

export interface Probe {
  what: string;
  outcome: string;
  ms: number;
  /** True when this answer served the caller as a signed-in user. */
  authenticated: boolean;
}

export type OutageResult =
  | { applicable: false; reason: string }
  | { applicable: true; mode: Mode; waitedMs: number; probes: Probe[]; failsClosed: boolean; stillWorks: string[]; recoveryMs: number | null; credentialAfterRecovery: string };

const outcome = (res: GqlResult) => failureOf(res) ?? 'ok';

async function probeAll(o: Ops, client: ReturnType<typeof createGqlClient>, live: ReturnType<typeof newCredential>, revoked: ReturnType<typeof newCredential>, email: string): Promise<Probe[]> {
  const probes: Probe[] = [];
  const add = (what: string, res: GqlResult, authenticated = false) =>
    probes.push({ what, outcome: outcome(res) + (res.data?.me === null ? ' (me: null)' : ''), ms: round(res.ms, 1), authenticated });
  add('unauthenticated { authMode }', await o.baseline());
  const me = await o.me(cloneCredential(live));
  add('me, live credential', me, !!me.data?.me);
  const s = await o.sessions(cloneCredential(live));
  add('sessions, live credential', s, !failureOf(s));
  const rme = await o.me(cloneCredential(revoked));
  add('me, credential revoked before the outage', rme, !!rme.data?.me);
  add('login', await o.login(newCredential(email)));
  add('refresh, live credential', await o.refresh(cloneCredential(live)));
  const start = performance.now();
  const ready = await fetch(new URL('/readyz', client.baseUrl), { signal: AbortSignal.timeout(10_000) });
  probes.push({ what: 'GET /readyz', outcome: `HTTP ${ready.status} ${(await ready.text()).slice(0, 80)}`, ms: round(performance.now() - start, 1), authenticated: false });
  return probes;
}

async function waitRecovery(o: Ops, email: string, boundMs: number): Promise<number | null> {
  const start = performance.now();
  while (performance.now() - start < boundMs) {
    const cred = newCredential(email);
    if (!failureOf(await o.login(cred)) && !failureOf(await o.sessions(cred))) return round(performance.now() - start, 0);
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

/**
 * The state store goes down under a running instance: a private redis-server is killed (never
 * the shared one). What answers, does anything authenticate, and does it recover by itself?
 */
export async function runOutage(backend: BenchBackend, mode: Mode, env: (redisUrl: string) => Record<string, string>, emails: readonly string[]): Promise<OutageResult> {
  if (!backend.redisUrl) return { applicable: false, reason: 'in-process state store: it cannot go down without the process' };
  const redis = await startPrivateRedis();
  const group = await startGroup(backend, env(redis.url), false).catch(async (e) => {
    await redis.kill();
    throw e;
  });
  const client = createGqlClient(group.urlA, 4);
  const o = ops(client);
  try {
    const live = newCredential(emails[0]!);
    const revoked = newCredential(emails[1] ?? emails[0]!);
    must(await o.login(live), 'login');
    must(await o.login(revoked), 'login');
    must(await o.revokeCurrent(cloneCredential(revoked)), 'revoke');
    must(await o.sessions(cloneCredential(live)), 'sessions before the outage');
    await redis.kill();
    const waitedMs = group.a.config.stateStoreTimeoutMs + 500;
    await new Promise((r) => setTimeout(r, waitedMs));
    const probes = await probeAll(o, client, live, revoked, emails[2] ?? emails[0]!);
    await redis.restart();
    const recoveryMs = await waitRecovery(o, emails[0]!, 20_000);
    const after = await o.sessions(cloneCredential(live));
    return {
      applicable: true, mode, waitedMs, probes,
      failsClosed: probes.every((p) => !p.authenticated),
      stillWorks: probes.filter((p) => p.outcome.startsWith('ok') || p.outcome.startsWith('HTTP 2')).map((p) => p.what),
      recoveryMs,
      credentialAfterRecovery: outcome(after),
    };
  } finally {
    client.close();
    await group.stop();
    await redis.kill();
  }
}
