import { createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** One raw signature check with node:crypto, the floor under any authentication. */
export type RawVerify = () => boolean;

interface Jwk { kid?: string; [k: string]: unknown }

const b64url = (text: string) => Buffer.from(text, 'base64url');

/**
 * The bare verification of a JWT's signature with node:crypto on the same bytes: no parsing
 * of claims, no key lookup. Null for HS256, whose key is a secret outside the JWKS.
 */
export function rawJwtVerify(token: string, jwks: { keys: Jwk[] }): { alg: string; verify: RawVerify } | null {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(b64url(h!).toString('utf8')) as { alg: string; kid: string };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) return null;
  const key: KeyObject = createPublicKey({ key: jwk as never, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const signature = b64url(s!);
  const algs: Record<string, RawVerify> = {
    EdDSA: () => verify(null, data, key, signature),
    ES256: () => verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature),
    RS256: () => verify('sha256', data, key, signature),
  };
  const fn = algs[header.alg];
  return fn ? { alg: header.alg, verify: fn } : null;
}

/**
 * The bare check of a signed session cookie (`s:<id>.<HMAC-SHA256 base64>`, as
 * cookie-signature writes it) with node:crypto.
 */
export function rawCookieVerify(cookieValue: string, secret: string): { alg: string; verify: RawVerify } | null {
  const value = decodeURIComponent(cookieValue);
  if (!value.startsWith('s:')) return null;
  const dot = value.lastIndexOf('.');
  const id = value.slice(2, dot);
  const mac = Buffer.from(value.slice(dot + 1));
  return {
    alg: 'HMAC-SHA256',
    verify: () => {
      const expected = Buffer.from(createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, ''));
      return expected.length === mac.length && timingSafeEqual(expected, mac);
    },
  };
}
