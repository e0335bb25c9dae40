import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/auth/email.js';
import { checkPasswordPolicy, createPasswordHasher } from '../../src/auth/passwords.js';
import { AppError } from '../../src/errors.js';

const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as AppError).code;
  }
  return undefined;
};

describe('password policy (NIST SP 800-63B)', () => {
  it('accepts 8 characters and more with no composition rules', () => {
    expect(() => checkPasswordPolicy('aaaaaaaa', 'a@example.com')).not.toThrow();
    expect(() => checkPasswordPolicy('correct horse battery staple', 'a@example.com')).not.toThrow();
  });

  it('counts characters, not bytes, for the minimum', () => {
    expect(() => checkPasswordPolicy('ééééééé', 'a@example.com')).toThrow(/at least 8/); // 7 chars, 14 bytes
    expect(() => checkPasswordPolicy('😀😀😀😀😀😀😀😀', 'a@example.com')).not.toThrow();
  });

  it('refuses short, oversized and email-equal passwords with BAD_USER_INPUT', () => {
    expect(codeOf(() => checkPasswordPolicy('short', 'a@example.com'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => checkPasswordPolicy('x'.repeat(257), 'a@example.com'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => checkPasswordPolicy('x'.repeat(10 * 1024), 'a@example.com'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => checkPasswordPolicy('Alice@Example.com', 'alice@example.com'))).toBe('BAD_USER_INPUT');
  });

  it('allows exactly 256 bytes', () => {
    expect(() => checkPasswordPolicy('x'.repeat(256), 'a@example.com')).not.toThrow();
  });
});

describe('email normalisation', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Alice@Example.COM ')).toBe('alice@example.com');
  });

  it.each(['', 'alice', 'alice@', '@example.com', 'a@b', 'a b@example.com', 'a@exa mple.com', `${'a'.repeat(250)}@example.com`])(
    'refuses %j',
    (email) => {
      expect(codeOf(() => normalizeEmail(email))).toBe('BAD_USER_INPUT');
    },
  );
});

describe('argon2id hasher', () => {
  const params = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

  it('verifies the right password and refuses a wrong one', async () => {
    const hasher = createPasswordHasher(params);
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.verify(hash, 'correct horse')).toBe(true);
    expect(await hasher.verify(hash, 'wrong horse')).toBe(false);
    expect(await hasher.verify('not a hash', 'correct horse')).toBe(false);
  });

  it('asks for a rehash when parameters changed', async () => {
    const old = await createPasswordHasher(params).hash('pw-pw-pw-pw');
    const stronger = createPasswordHasher({ memoryCost: 2048, timeCost: 2, parallelism: 1 });
    expect(stronger.needsRehash(old)).toBe(true);
    expect(stronger.needsRehash(await stronger.hash('pw-pw-pw-pw'))).toBe(false);
  });
});
