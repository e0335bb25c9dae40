import type { Credential, GqlClient, GqlResult } from './gql-client.js';

/** The GraphQL documents of the workload, and the calls that send them with a credential. */
const PAYLOAD = 'user { id email } mode accessToken refreshToken sessionExpiresAt';

export const DOCS = {
  register: `mutation($i: CredentialsInput!) { register(input: $i) { ${PAYLOAD} } }`,
  login: `mutation($i: CredentialsInput!) { login(input: $i) { ${PAYLOAD} } }`,
  refresh: `mutation($t: String) { refresh(refreshToken: $t) { ${PAYLOAD} } }`,
  me: '{ me { id email } }',
  sessions: '{ sessions { id current } }',
  revoke: 'mutation($i: RevokeInput!) { revoke(input: $i) { revoked } }',
  baseline: '{ authMode }',
} as const;

export const BENCH_PASSWORD = 'compare-password-0123456789';

export const ops = (client: GqlClient) => ({
  register: (cred: Credential, password = BENCH_PASSWORD) => client.post(DOCS.register, { i: { email: cred.email, password } }, cred),
  login: (cred: Credential, password = BENCH_PASSWORD) => client.post(DOCS.login, { i: { email: cred.email, password } }, cred),
  refresh: (cred: Credential) => client.post(DOCS.refresh, { t: cred.refreshToken ?? null }, cred),
  me: (cred: Credential) => client.post(DOCS.me, undefined, cred),
  /** Needs a login in both modes: UNAUTHENTICATED once the credential is dead. */
  sessions: (cred: Credential) => client.post(DOCS.sessions, undefined, cred),
  revokeCurrent: (cred: Credential) => client.post(DOCS.revoke, { i: { scope: 'CURRENT' } }, cred),
  baseline: () => client.post(DOCS.baseline),
});

export type Ops = ReturnType<typeof ops>;

/** Throws with the operation's error, for steps that must succeed. */
export function must(res: GqlResult, what: string): GqlResult {
  if (res.errors?.length || res.status !== 200) {
    const e = res.errors?.[0];
    throw new Error(`${what} failed: HTTP ${res.status} ${e?.extensions?.code ?? ''} ${e?.extensions?.reason ?? ''} ${e?.message ?? ''}`);
  }
  return res;
}
