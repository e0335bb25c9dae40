import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { Logger } from '../logger.js';
import type { Metrics } from '../http/metrics.js';
import type { GraphQLContext } from './context.js';
import { createOperationLimits } from './operation-limits.js';
import { createFormatError } from './format-error.js';
import { httpStatusPlugin } from './http-status-plugin.js';
import { metricsPlugin } from './metrics-plugin.js';
import { resolvers } from './resolvers.js';

/** The top-level schema.graphql is the API's source of truth. */
export const typeDefs = readFileSync(join(PROJECT_ROOT, 'schema.graphql'), 'utf8');

export interface ApolloOptions {
  production: boolean;
  httpServer: Server;
  logger: Logger;
  metrics: Metrics;
}

export function createApolloServer({ production, httpServer, logger, metrics }: ApolloOptions) {
  const limits = createOperationLimits(production);
  return new ApolloServer<GraphQLContext>({
    typeDefs,
    resolvers,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    introspection: !production,
    // Apollo's CSRF prevention refuses "simple" requests (text/plain, form and multipart
    // bodies, GETs without a preflight-forcing header) that a browser sends cross-site.
    csrfPrevention: true,
    // One operation per request: an array of 1,000 operations is refused, never run.
    allowBatchedHttpRequests: false,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: !production,
    formatError: createFormatError({
      exposeInternals: !production,
      onInternalError: (error) => logger.error({ err: error }, 'unexpected error in a GraphQL operation'),
    }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true, footer: false }),
      httpStatusPlugin(),
      metricsPlugin(metrics),
      ...limits.plugins,
    ],
  });
}
