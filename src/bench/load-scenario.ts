/** What one load scenario sends; plain data so it can cross into the load worker thread. */
export interface LoadScenario {
  name: string;
  /** GraphQL document and variables of every request, unless a rotation below applies. */
  query: string;
  variables?: Record<string, unknown>;
  /** Credential headers to rotate through, one set per request (authenticated `me`). */
  headerSets?: Array<Record<string, string>>;
  /** JWT refresh: a pool of refresh tokens; each answer's new token goes back in. */
  refreshTokens?: string[];
  /** Session refresh: a pool of `sid=…` cookies; each answer's new cookie goes back in. */
  cookies?: string[];
  /** Login: credentials to rotate through. */
  logins?: Array<{ email: string; password: string }>;
}

export interface LoadSettings {
  url: string;
  durationSec: number;
  connections: number;
}

export interface LoadResult {
  name: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  /** Transport errors, timeouts and non-2xx answers. */
  errors: number;
  /** 200 answers that carried GraphQL errors. */
  graphqlErrors: number;
  firstError: string | null;
}
