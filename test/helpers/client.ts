/** A tiny GraphQL-over-HTTP client with a cookie jar, as a browser or frontend would behave. */
export interface GqlResponse<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=/i.test(a) && new Date(a.split('=')[1]!).getTime() < Date.now())
        || attrs.some((a) => /^\s*max-age=0/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export interface RequestOptions {
  headers?: Record<string, string>;
  jar?: CookieJar;
  bearer?: string;
}

export function createClient(baseUrl: string) {
  async function gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options: RequestOptions = {},
  ): Promise<GqlResponse<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    const cookie = options.jar?.header();
    if (cookie && !headers.cookie) headers.cookie = cookie;
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(20_000),
    });
    options.jar?.store(res.headers);
    const text = await res.text();
    let body: GqlResponse<T>['body'];
    try {
      body = JSON.parse(text);
    } catch {
      body = { errors: [{ message: text }] };
    }
    return { status: res.status, headers: res.headers, body };
  }

  async function raw(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
  }

  return { gql, raw, baseUrl };
}

/** The first error's code and reason, the way tests assert on failures. */
export function errorOf(res: GqlResponse): { code?: string; reason?: string; message?: string } {
  const e = res.body.errors?.[0];
  return { code: e?.extensions?.code, reason: e?.extensions?.reason, message: e?.message };
}
