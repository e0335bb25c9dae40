import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import type { GraphQLContext } from './context.js';
import { oneCredentialCheckRule } from './one-credential-check-rule.js';

/** GraphQL Armor's documented defaults, written out so a change is deliberate. */
export const ARMOR_LIMITS = { maxAliases: 15, maxDepth: 6, costLimit: 5_000, maxTokens: 1_000, maxDirectives: 50 } as const;

export interface OperationLimits {
  plugins: ApolloServerPlugin<GraphQLContext>[];
  validationRules: ValidationRule[];
  /** graphql-js stops parsing past this many tokens, before the document is built. */
  parseOptions: { maxTokens: number };
}

/**
 * Limits on the shape of every operation, so no single request can cost much: aliases,
 * depth, cost and directives (validation rules), tokens (while parsing), and one credential
 * check per operation. Each refusal is a 400 with BAD_USER_INPUT. Field suggestions ("Did you
 * mean …") are blocked in production, where they would reveal the schema.
 *
 * Tokens are limited by graphql-js's own parser option rather than Armor's plugin: Armor's
 * throws from a plugin hook, which Apollo answers with a 500.
 */
export function createOperationLimits(production: boolean): OperationLimits {
  const armor = new ApolloArmor({
    maxAliases: { n: ARMOR_LIMITS.maxAliases },
    maxDepth: { n: ARMOR_LIMITS.maxDepth },
    costLimit: { maxCost: ARMOR_LIMITS.costLimit },
    maxTokens: { enabled: false },
    maxDirectives: { n: ARMOR_LIMITS.maxDirectives },
    blockFieldSuggestion: { enabled: production },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    // Armor's typings name Apollo's CommonJS build; the plugins are plain objects either way.
    plugins: plugins as unknown as ApolloServerPlugin<GraphQLContext>[],
    validationRules: [...validationRules, oneCredentialCheckRule],
    parseOptions: { maxTokens: ARMOR_LIMITS.maxTokens },
  };
}
