import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../src/graphql/apollo.js';
import { oneCredentialCheckRule } from '../../src/graphql/one-credential-check-rule.js';

const schema = buildSchema(typeDefs);
const errors = (doc: string) => validate(schema, parse(doc), [...specifiedRules, oneCredentialCheckRule]).map((e) => e.message);
const creds = '(input: { email: "a@example.com", password: "correct horse battery" }) { mode }';

describe('at most one credential check per operation', () => {
  it('accepts one login, and operations without credential fields', () => {
    expect(errors(`mutation { login${creds} }`)).toEqual([]);
    expect(errors(`mutation { login${creds} logout }`)).toEqual([]);
    expect(errors('{ me { id } a: authMode b: authMode }')).toEqual([]);
  });

  it.each([
    ['two aliases of login', `mutation { a: login${creds} b: login${creds} }`],
    ['login and register', `mutation { login${creds} register${creds} }`],
    ['refresh twice', 'mutation { a: refresh { mode } b: refresh { mode } }'],
    ['one fragment spread twice', `mutation { ...F ...F } fragment F on Mutation { login${creds} }`],
    ['inline fragments', `mutation { ... on Mutation { login${creds} } ... @skip(if: true) { x: login${creds} } }`],
  ])('refuses %s', (_what, doc) => {
    expect(errors(doc)).toContainEqual(expect.stringMatching(/^At most one of register, login, refresh, changePassword per operation/));
  });

  it('counts a chain of fragments each spread twice in linear time', () => {
    const chain = Array.from({ length: 60 }, (_, i) => `fragment F${i} on Mutation { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const doc = `mutation { ...F0 }\n${chain}\nfragment F60 on Mutation { login${creds} }`;
    const started = performance.now();
    expect(errors(doc).some((m) => m.startsWith('At most one'))).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
