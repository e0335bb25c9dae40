import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types come from schema.graphql, the one source of truth for the API.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        contextType: '../graphql/context.js#GraphQLContext',
        scalars: { DateTime: 'Date' },
        enumsAsTypes: true,
        mappers: { User: '../domain.js#UserProfile', Session: '../domain.js#SessionInfo', AuthPayload: '../domain.js#AuthResult' },
        avoidOptionals: false,
      },
    },
  },
};
export default config;
