import http from 'node:http';

export interface GqlResult {
  status: number;
  /** Round-trip time measured around the request, in ms. */
  ms: number;
  data: Record<string, any> | null;
  errors: Array<{ message: string; extensions?: Record<string, any> }> | undefined;
  setCookies: string[];
}

/** What one client holds after a login: a bearer and refresh token, or a session cookie. */
export interface Credential {
  email: string;
  accessToken?: string;
  refreshToken?: string;
  /** `name=value` pairs to send back in the Cookie header. */
  cookies: Map<string, string>;
}

export const newCredential = (email: string): Credential => ({ email, cookies: new Map() });

/** The request headers that carry the credential, exactly as they go on the wire. */
export function credentialHeaders(cred: Credential | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!cred) return headers;
  if (cred.accessToken) headers.authorization = `Bearer ${cred.accessToken}`;
  if (cred.cookies.size) headers.cookie = [...cred.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return headers;
}

/** Keeps whatever the service hands out, as a browser or frontend would. */
export function absorb(cred: Credential, res: GqlResult): void {
  for (const line of res.setCookies) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) cred.cookies.delete(name);
    else cred.cookies.set(name, value);
  }
  for (const payload of Object.values(res.data ?? {})) {
    if (payload && typeof payload === 'object') {
      if (typeof payload.accessToken === 'string') cred.accessToken = payload.accessToken;
      if (typeof payload.refreshToken === 'string') cred.refreshToken = payload.refreshToken;
    }
  }
}

function finish(res: http.IncomingMessage, raw: Buffer, ms: number, cred: Credential | undefined): GqlResult {
  let parsed: { data?: Record<string, any> | null; errors?: GqlResult['errors'] } = {};
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    parsed = { errors: [{ message: `HTTP ${res.statusCode}` }] };
  }
  const result = { status: res.statusCode ?? 0, ms, data: parsed.data ?? null, errors: parsed.errors, setCookies: res.headers['set-cookie'] ?? [] };
  if (cred) absorb(cred, result);
  return result;
}

/** A small GraphQL client on keep-alive connections to 127.0.0.1, timing each request. */
export function createGqlClient(baseUrl: string, maxSockets = 64) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const url = new URL('/graphql', baseUrl);

  function post(query: string, variables?: Record<string, unknown>, cred?: Credential): Promise<GqlResult> {
    const body = JSON.stringify({ query, variables });
    const headers = { 'content-type': 'application/json', 'user-agent': 'identity-compare/1.0', ...credentialHeaders(cred) };
    return send(body, headers, cred, true);
  }

  function send(body: string, headers: Record<string, string>, cred: Credential | undefined, mayRetry: boolean): Promise<GqlResult> {
    const start = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(finish(res, Buffer.concat(chunks), performance.now() - start, cred)));
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The server closed an idle keep-alive socket just as it was reused: the request never
        // reached it, so sending it again on a new connection is safe (Node's documented pattern).
        if (mayRetry && req.reusedSocket && error.code === 'ECONNRESET') resolve(send(body, headers, cred, false));
        else reject(error);
      });
      req.end(body);
    });
  }

  return { post, baseUrl, close: () => agent.destroy() };
}

export type GqlClient = ReturnType<typeof createGqlClient>;

/** The first error's code and reason, or null when the call succeeded. */
export function failureOf(res: GqlResult): string | null {
  const e = res.errors?.[0];
  if (!e) return null;
  return [e.extensions?.code ?? 'ERROR', e.extensions?.reason].filter(Boolean).join('/');
}

/** A copy holding the same credentials (a second tab, or a credential kept after logout). */
export const cloneCredential = (cred: Credential): Credential => ({ ...cred, cookies: new Map(cred.cookies) });
