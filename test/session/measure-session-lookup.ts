/**
 * Median per-request cost of the session lookup (unsign the cookie, hash the id, read and parse
 * the record): the same cheap query (`{ authMode }`, which never asks who the caller is) sent
 * with and without a session cookie, so the difference is what loading the session costs.
 * Not a test (timings belong in measurements, not assertions). Run:
 *
 *   npx tsx test/session/measure-session-lookup.ts
 *   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres TEST_REDIS_URL=redis://127.0.0.1:6379 \
 *     npx tsx test/session/measure-session-lookup.ts
 */
import { createHarness } from '../helpers/app.js';
import { backends } from '../helpers/backends.js';
import { Browser, sessionEnv, uniqueEmail } from './helpers.js';

const N = Number(process.env.N ?? 3000);
const ROUNDS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function latencies(browser: Browser, query: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const started = performance.now();
    const res = await browser.gql(query);
    if (res.status !== 200 || res.body.errors) throw new Error(`unexpected answer: ${JSON.stringify(res.body)}`);
    times.push(performance.now() - started);
  }
  return times;
}

async function measure(backend: (typeof backends)[number]) {
  const harness = await createHarness(backend);
  try {
    const app = await harness.start(sessionEnv());
    const signedIn = new Browser(app);
    await signedIn.register(uniqueEmail('measure'));
    const anonymous = new Browser(app);
    await latencies(signedIn, '{ authMode }');
    await latencies(anonymous, '{ authMode }');
    const medians = { anonymous: [] as number[], withCookie: [] as number[], me: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      medians.anonymous.push(median(await latencies(anonymous, '{ authMode }')));
      medians.withCookie.push(median(await latencies(signedIn, '{ authMode }')));
      medians.me.push(median(await latencies(signedIn, '{ me { id } }')));
    }
    const ms = (xs: number[]) => Number(median(xs).toFixed(3));
    return {
      backend: backend.name,
      requests: N * ROUNDS,
      medianMs: { authModeAnonymous: ms(medians.anonymous), authModeWithCookie: ms(medians.withCookie), meWithCookie: ms(medians.me) },
      sessionLookupMs: Number((median(medians.withCookie) - median(medians.anonymous)).toFixed(3)),
    };
  } finally {
    await harness.stop();
  }
}

for (const backend of backends) console.log(JSON.stringify(await measure(backend)));
process.exit(0);
