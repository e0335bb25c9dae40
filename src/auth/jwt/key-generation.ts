import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Config } from '../../config.js';

export type JwtAlg = Config['jwt']['alg'];

/** What verifies (public key, or the HS256 secret) and what signs. */
export type JoseKey = CryptoKey | Uint8Array;

export interface GeneratedKey {
  kid: string;
  alg: JwtAlg;
  /** Null for HS256: a shared secret has no public half and is never published. */
  publicJwk: JWK | null;
  privateJwk: JWK;
}

/**
 * A fresh signing key. Key ids are random rather than derived from the key, so an HS256 kid
 * reveals nothing about its secret; they never reach SQL except as a bound parameter.
 */
export async function generateSigningKey(alg: JwtAlg): Promise<GeneratedKey> {
  const kid = randomBytes(16).toString('base64url');
  if (alg === 'HS256') {
    return { kid, alg, publicJwk: null, privateJwk: { kty: 'oct', k: randomBytes(32).toString('base64url') } };
  }
  // EdDSA is Ed25519, ES256 is P-256; RSA keys are 2048 bits.
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, publicJwk, privateJwk: await exportJWK(privateKey) };
}

/** Imports the private JWK for signing; for HS256 the same secret also verifies. */
export async function importSigningKey(privateJwk: JWK, alg: JwtAlg): Promise<JoseKey> {
  return importJWK(privateJwk, alg);
}

/** The public key the service verifies with (asymmetric algorithms). */
export async function importVerificationKey(publicJwk: JWK, alg: JwtAlg): Promise<JoseKey> {
  const { kid: _kid, use: _use, ...material } = publicJwk;
  return importJWK(material, alg);
}
