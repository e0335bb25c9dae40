import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { AppError } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import type { GraphQLContext } from './context.js';

const AUTH_FIELDS = new Set(['register', 'login', 'refresh', 'revoke', 'logout', 'changePassword', 'me', 'sessions']);

/** Counts each root field by outcome; authentication operations also by reason. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart() {
          return {
            willResolveField({ info }) {
              if (info.path.prev !== undefined) return;
              const operation = info.fieldName;
              return (error) => {
                const original = error ? unwrapResolverError(error) : undefined;
                const outcome = !error ? 'ok' : original instanceof AppError ? original.code : 'INTERNAL_SERVER_ERROR';
                metrics.graphqlOperations.inc({ operation, outcome });
                if (AUTH_FIELDS.has(operation)) {
                  const reason = original instanceof AppError ? (original.reason ?? '') : '';
                  metrics.authOutcomes.inc({ operation, outcome, reason });
                }
              };
            },
          };
        },
      };
    },
  };
}
