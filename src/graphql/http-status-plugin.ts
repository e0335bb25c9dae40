import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from './context.js';

/**
 * HTTP semantics around GraphQL results: credentials never land in a shared cache, and a
 * dependency outage (database or state store not answering) is a 503 so load balancers and
 * clients can retry, instead of a 200 carrying an error.
 */
export function httpStatusPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (errors.some((e) => e.extensions?.retryable === true)) response.http.status = 503;
        },
      };
    },
  };
}
