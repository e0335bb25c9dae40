import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import type { Resolvers } from '../generated/graphql.js';

const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 instant in UTC',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue(value) {
    const date = new Date(value as string);
    if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return date;
  },
  parseLiteral(ast) {
    const date = ast.kind === Kind.STRING ? new Date(ast.value) : new Date(NaN);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 string');
    return date;
  },
});

/** Resolvers only translate: arguments in, one service call, result out. */
export const resolvers: Resolvers = {
  DateTime,
  Query: {
    authMode: (_parent, _args, ctx) => ctx.mode,
    me: async (_parent, _args, ctx) => ctx.auth.me(await ctx.principal()),
    sessions: async (_parent, _args, ctx) => ctx.auth.sessions(await ctx.requirePrincipal()),
    authEvents: async (_parent, { first }, ctx) => ctx.auth.authEvents(await ctx.requirePrincipal(), first ?? 20),
  },
  Mutation: {
    register: (_parent, { input }, ctx) => ctx.auth.register(ctx.http, input),
    login: (_parent, { input }, ctx) => ctx.auth.login(ctx.http, input),
    refresh: (_parent, { refreshToken }, ctx) => ctx.auth.refresh(ctx.http, refreshToken ?? null),
    revoke: async (_parent, { input }, ctx) => ({
      revoked: await ctx.auth.revoke(ctx.http, await ctx.requirePrincipal(), input),
    }),
    logout: async (_parent, _args, ctx) => ctx.auth.logout(ctx.http, await ctx.requirePrincipal()),
    changePassword: async (_parent, { input }, ctx) =>
      ctx.auth.changePassword(ctx.http, await ctx.requirePrincipal(), input),
  },
};
