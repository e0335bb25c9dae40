import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import type { LoadResult, LoadScenario, LoadSettings } from './load-scenario.js';

/**
 * Runs autocannon in a worker thread, so the load generator does not share the service's
 * event loop. Stateful scenarios (refresh) keep a pool of credentials that each answer refills.
 */
const { scenario, settings } = workerData as { scenario: LoadScenario; settings: LoadSettings };
const tokens = [...(scenario.refreshTokens ?? [])];
const cookies = [...(scenario.cookies ?? [])];
let turn = 0;
let graphqlErrors = 0;
let firstError: string | null = null;

function body(): string {
  if (scenario.refreshTokens) return JSON.stringify({ query: scenario.query, variables: { t: tokens.shift() ?? 'exhausted' } });
  if (scenario.logins) {
    const login = scenario.logins[turn % scenario.logins.length]!;
    return JSON.stringify({ query: scenario.query, variables: { i: login } });
  }
  return JSON.stringify({ query: scenario.query, variables: scenario.variables });
}

function headers(): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'identity-bench/1.0' };
  if (scenario.headerSets?.length) Object.assign(out, scenario.headerSets[turn % scenario.headerSets.length]);
  if (scenario.cookies) out.cookie = cookies.shift() ?? 'sid=exhausted';
  return out;
}

function onResponse(status: number, text: string, _context: unknown, resHeaders: Record<string, string | string[]>): void {
  if (status === 200 && text.includes('"errors"')) {
    graphqlErrors++;
    firstError ??= text.slice(0, 200);
  }
  if (scenario.refreshTokens) {
    const token = /"refreshToken":"([^"]+)"/.exec(text)?.[1];
    if (token) tokens.push(token);
  }
  if (scenario.cookies) {
    const name = Object.keys(resHeaders).find((h) => h.toLowerCase() === 'set-cookie');
    const setCookie = ([] as string[]).concat(name ? resHeaders[name]! : []);
    const sid = setCookie.map((c) => /^sid=([^;]+)/.exec(c)?.[1]).find(Boolean);
    if (sid) cookies.push(`sid=${sid}`);
  }
}

const options = {
  url: `${settings.url}/graphql`,
  connections: settings.connections,
  duration: settings.durationSec,
  timeout: 10,
  requests: [{
    method: 'POST',
    setupRequest: (req: Record<string, unknown>) => {
      turn++;
      return { ...req, method: 'POST', path: '/graphql', headers: headers(), body: body() };
    },
    onResponse,
  }],
} as unknown as autocannon.Options;

/** Inside a worker thread autocannon hands back raw histograms; aggregate them as its CLI does. */
type Aggregate = (result: unknown, opts: unknown) => autocannon.Result;
const aggregate = (autocannon as unknown as { aggregateResult: Aggregate }).aggregateResult;

autocannon(options, (error, raw) => {
  const result = error ? raw : aggregate([raw], options);
  const out: LoadResult = {
    name: scenario.name,
    // Completed requests over the run's duration: exact even for short runs.
    requestsPerSec: error ? 0 : Math.round((result.requests.total / result.duration) * 10) / 10,
    p50Ms: error ? Number.NaN : result.latency.p50,
    p99Ms: error ? Number.NaN : result.latency.p99,
    total: error ? 0 : result.requests.total,
    errors: error ? 1 : result.errors + result.timeouts + result.non2xx,
    graphqlErrors,
    firstError: error ? String(error) : firstError,
  };
  parentPort!.postMessage(out);
});
