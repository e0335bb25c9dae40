import type { AppGroup } from './app-group.js';
import type { Mode } from './app-env.js';
import { timeAuthenticate, timeRaw, type CostSummary } from './auth-cost.js';
import { credentialHeaders, type Credential } from './gql-client.js';
import { rawCookieVerify, rawJwtVerify } from './raw-verify.js';

export interface AuthCostResult {
  /** The same credential presented again and again (any verified-token cache is warm). */
  repeated: CostSummary;
  /** Each credential presented once to instance B, which had not seen it (cold). */
  firstSight: CostSummary | null;
  /** The bare node:crypto check of the same bytes, with its algorithm. */
  raw: (CostSummary & { alg: string }) | null;
  rawNote: string | null;
}

async function rawFor(mode: Mode, group: AppGroup, cred: Credential) {
  if (mode === 'jwt') {
    const jwks = await fetch(new URL('/.well-known/jwks.json', group.urlA)).then((r) => r.json() as Promise<{ keys: [] }>);
    return rawJwtVerify(cred.accessToken!, jwks);
  }
  const sid = cred.cookies.get('sid');
  return sid ? rawCookieVerify(sid, group.a.config.session.secrets[0]!) : null;
}

/**
 * Authentication alone, in-process: the strategy's middleware and `authenticate()` on a
 * realistic request, median of many, beside the raw crypto verify of the same algorithm.
 */
export async function measureAuthCost(mode: Mode, group: AppGroup, creds: readonly Credential[], iterations: number): Promise<AuthCostResult> {
  const headers = creds.map((c) => credentialHeaders(c));
  await timeAuthenticate(group.a, headers.slice(0, 1), Math.ceil(iterations / 10)); // warm-up (JIT)
  const repeated = await timeAuthenticate(group.a, headers.slice(0, 1), iterations);
  const firstSight = group.b ? await timeAuthenticate(group.b, headers, headers.length) : null;
  const raw = await rawFor(mode, group, creds[0]!);
  if (!raw) return { repeated, firstSight, raw: null, rawNote: 'no public key to verify with (HS256 keys are secret)' };
  timeRaw(raw.verify, Math.ceil(iterations / 10));
  return { repeated, firstSight, raw: { ...timeRaw(raw.verify, iterations), alg: raw.alg }, rawNote: null };
}
