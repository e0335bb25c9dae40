import { createHmac, KeyObject, sign } from 'node:crypto';
import type { CryptoKey } from 'jose';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A compact JWS assembled by hand, with any header and signature (for tokens jose refuses to make). */
export const rawJwt = (header: object, payload: object, signature = ''): string => `${b64(header)}.${b64(payload)}.${signature}`;

/** An HS256 token signed with arbitrary secret bytes (an empty one included). */
export function hs256(secret: Uint8Array | string, header: object, payload: object): string {
  const input = `${b64({ alg: 'HS256', typ: 'at+jwt', ...header })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** An EdDSA token signed by hand, so headers jose would refuse to produce (crit) can be sent. */
export function ed25519(privateKey: CryptoKey | Uint8Array, header: object, payload: object): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), KeyObject.from(privateKey as Parameters<typeof KeyObject.from>[0])).toString('base64url')}`;
}
