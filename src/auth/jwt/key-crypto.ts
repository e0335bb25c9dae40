import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored private key could not be decrypted: KEY_ENCRYPTION_KEY differs from the one used. */
export class KeyDecryptionError extends Error {
  override name = 'KeyDecryptionError';
}

/**
 * The row's identity is bound as associated data, so a ciphertext copied into another row
 * (another kid or algorithm) fails to decrypt instead of silently becoming that key.
 */
const aad = (kid: string, alg: string) => Buffer.from(`signing-key:${kid}:${alg}`, 'utf8');

/** AES-256-GCM; the stored form is base64(iv | tag | ciphertext) of the private JWK's JSON. */
export function encryptPrivateJwk(kek: Buffer, kid: string, alg: string, jwk: object): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek, iv).setAAD(aad(kid, alg));
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function decryptPrivateJwk(kek: Buffer, kid: string, alg: string, stored: string): Record<string, unknown> {
  try {
    const bytes = Buffer.from(stored, 'base64');
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', kek, iv).setAAD(aad(kid, alg)).setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Record<string, unknown>;
  } catch {
    // The message names the setting and the key id only: never key material.
    throw new KeyDecryptionError(
      `cannot decrypt signing key ${kid}: KEY_ENCRYPTION_KEY is not the key it was encrypted with; ` +
        'configure the original KEY_ENCRYPTION_KEY (keys in the database survive restarts and need it)',
    );
  }
}
