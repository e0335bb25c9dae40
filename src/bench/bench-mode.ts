import type { Config } from '../config.js';
import type { Mode } from './app-env.js';
import { measureArgon2Rate, type Argon2Rate } from './argon2-rate.js';
import { createGqlClient, credentialHeaders, newCredential } from './gql-client.js';
import { runLoad } from './load.js';
import type { LoadResult, LoadScenario, LoadSettings } from './load-scenario.js';
import { BENCH_PASSWORD, DOCS, must, ops } from './operations.js';
import { round } from './stats.js';

export type ScenarioResult = LoadResult & { ratioToBaseline: number; rounds: number[] };

export interface ModeBench {
  mode: Mode;
  /** The unauthenticated baseline: best of the rounds (interleaved with `me`). */
  baseline: ScenarioResult;
  scenarios: ScenarioResult[];
  /** Raw argon2id rate measured just before and just after this mode's login scenario. */
  argon2: Argon2Rate[];
  argon2Mean: number;
}

const BASELINE: LoadScenario = { name: 'baseline { authMode }', query: DOCS.baseline };
const ROUNDS = 2;

/** Logs in every user and builds the scenarios of one mode from their credentials. */
async function prepare(mode: Mode, url: string, emails: string[]) {
  const client = createGqlClient(url, 8);
  const o = ops(client);
  const creds = emails.map(newCredential);
  try {
    for (const cred of creds) must(await o.login(cred), 'login');
  } finally {
    client.close();
  }
  const half = Math.ceil(creds.length / 2);
  const me: LoadScenario = { name: 'authenticated me', query: DOCS.me, headerSets: creds.slice(0, half).map((c) => credentialHeaders(c)) };
  const anonymous: LoadScenario = { name: 'me without a credential', query: DOCS.me };
  const refresh: LoadScenario = mode === 'jwt'
    ? { name: 'refresh', query: DOCS.refresh, refreshTokens: creds.slice(half).map((c) => c.refreshToken!) }
    : { name: 'refresh', query: DOCS.refresh, cookies: creds.slice(half).map((c) => credentialHeaders(c).cookie!) };
  const login: LoadScenario = { name: 'login', query: DOCS.login, logins: emails.map((email) => ({ email, password: BENCH_PASSWORD })) };
  return { me, anonymous, refresh, login };
}

/** The best round (most requests/s): on a shared machine, interference only ever slows a round down. */
function best(results: LoadResult[]): LoadResult & { rounds: number[] } {
  const top = results.reduce((a, b) => (b.requestsPerSec > a.requestsPerSec ? b : a));
  const sum = (f: (r: LoadResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return { ...top, errors: sum((r) => r.errors), graphqlErrors: sum((r) => r.graphqlErrors), rounds: results.map((r) => r.requestsPerSec) };
}

/**
 * One mode under load: a warm-up, then rounds of baseline / authenticated `me` / anonymous
 * `me` interleaved (best of each), then refresh, then login between two raw argon2id runs.
 */
export async function benchMode(mode: Mode, url: string, config: Config, emails: string[], load: LoadSettings, log: (l: string) => void): Promise<ModeBench> {
  const s = await prepare(mode, url, emails);
  const warm = { ...load, durationSec: Math.max(1, Math.ceil(load.durationSec / 2)) };
  log(`${mode}: warm-up`);
  await runLoad(BASELINE, warm);
  await runLoad(s.me, warm);
  const rounds: Record<string, LoadResult[]> = { base: [], me: [], anonymous: [] };
  for (let i = 0; i < ROUNDS; i++) {
    log(`${mode}: baseline and me, round ${i + 1} of ${ROUNDS}`);
    rounds.base!.push(await runLoad(BASELINE, load));
    rounds.me!.push(await runLoad(s.me, load));
    rounds.anonymous!.push(await runLoad(s.anonymous, load));
  }
  log(`${mode}: refresh`);
  const refresh = await runLoad(s.refresh, load);
  log(`${mode}: login, between two raw argon2id runs`);
  const before = await measureArgon2Rate(config.argon2, load.connections, load.durationSec);
  const login = await runLoad(s.login, load);
  const after = await measureArgon2Rate(config.argon2, load.connections, load.durationSec);
  const baseline = best(rounds.base!);
  const ratio = (r: LoadResult) => round(r.requestsPerSec / baseline.requestsPerSec, 3);
  const scenarios = [best(rounds.me!), best(rounds.anonymous!), { ...refresh, rounds: [refresh.requestsPerSec] }, { ...login, rounds: [login.requestsPerSec] }];
  return {
    mode,
    baseline: { ...baseline, ratioToBaseline: 1 },
    scenarios: scenarios.map((r) => ({ ...r, ratioToBaseline: ratio(r) })),
    argon2: [before, after],
    argon2Mean: round((before.hashesPerSec + after.hashesPerSec) / 2, 1),
  };
}
