import { Algorithm, hash, verify } from '@node-rs/argon2';
import { badInput } from '../errors.js';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's argon2id recommendation: m = 19 MiB, t = 2, p = 1. */
export const OWASP_ARGON2: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_BYTES = 256;

/**
 * NIST SP 800-63B: length only, no composition rules. The byte cap is checked first and
 * cheaply, so a 1 MB "password" is refused before any hashing work is spent on it.
 */
export function checkPasswordPolicy(password: string, email: string, field = 'password'): void {
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    throw badInput(`Password must be at most ${PASSWORD_MAX_BYTES} bytes`, field);
  }
  if ([...password].length < PASSWORD_MIN_CHARS) {
    throw badInput(`Password must be at least ${PASSWORD_MIN_CHARS} characters`, field);
  }
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) {
    throw badInput('Password must not be the email address', field);
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or an unreadable hash; never throws for either. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters than the configured ones. */
  needsRehash(passwordHash: string): boolean;
  /**
   * Spends the same work as a real verification, for logins to unknown emails, so that
   * response time does not tell whether an account exists.
   */
  verifyDummy(password: string): Promise<void>;
}

export function createPasswordHasher(params: Argon2Params = OWASP_ARGON2): PasswordHasher {
  const options = { algorithm: Algorithm.Argon2id, ...params };
  let dummy: Promise<string> | undefined;
  const wanted = `m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}`;
  return {
    hash: (password) => hash(password, options),
    async verify(passwordHash, password) {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    },
    needsRehash(passwordHash) {
      const match = /^\$argon2id\$v=19\$(m=\d+,t=\d+,p=\d+)\$/.exec(passwordHash);
      return match?.[1] !== wanted;
    },
    async verifyDummy(password) {
      dummy ??= hash('dummy password for unknown accounts', options);
      await verify(await dummy, password).catch(() => false);
    },
  };
}
