import { credentialHeaders, type Credential, type GqlResult } from './gql-client.js';

export interface WireBytes {
  /** The header that carries the credential on every authenticated request. */
  header: string;
  /** Bytes of that header line on the wire (`Name: value\r\n`). */
  perRequest: number;
  /** Bytes handed out by a login: tokens in the body (JWT) or the Set-Cookie lines (session). */
  issuedAtLogin: number;
}

const lineBytes = (name: string, value: string) => Buffer.byteLength(`${name}: ${value}\r\n`);

/** Measures the credential bytes of a logged-in client and of the login response that made it. */
export function wireBytes(cred: Credential, login: GqlResult): WireBytes {
  const headers = credentialHeaders(cred);
  const names = Object.keys(headers);
  const perRequest = names.reduce((sum, name) => sum + lineBytes(name === 'authorization' ? 'Authorization' : 'Cookie', headers[name]!), 0);
  const payload = (login.data?.login ?? {}) as { accessToken?: string | null; refreshToken?: string | null };
  const bodyTokens = Buffer.byteLength(payload.accessToken ?? '') + Buffer.byteLength(payload.refreshToken ?? '');
  const cookies = login.setCookies.reduce((sum, line) => sum + lineBytes('Set-Cookie', line), 0);
  return {
    header: names.map((n) => (n === 'authorization' ? 'Authorization: Bearer' : 'Cookie')).join(' + ') || 'none',
    perRequest,
    issuedAtLogin: bodyTokens + cookies,
  };
}
