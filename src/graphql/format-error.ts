import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { AppError, type ErrorCode } from '../errors.js';
import { toDependencyError } from '../stores/dependency-errors.js';

/** Apollo's own request-level codes, all of which are the client's mistake. */
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export interface FormatErrorOptions {
  /** Outside production, unexpected errors keep their message and stack to help debugging. */
  exposeInternals: boolean;
  onInternalError: (error: unknown) => void;
}

/**
 * The one place errors become GraphQL errors. Every `extensions.code` leaving the service is a
 * contract code: AppErrors carry theirs, Apollo's parse and validation failures become
 * BAD_USER_INPUT (the original in `extensions.detail`), everything else is masked as
 * INTERNAL_SERVER_ERROR and logged.
 */
export function createFormatError({ exposeInternals, onInternalError }: FormatErrorOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    const original = toDependencyError(unwrapped) ?? unwrapped;
    if (original instanceof AppError) {
      const extensions: Record<string, unknown> = { code: original.code, ...original.extensions };
      if (original.reason) extensions.reason = original.reason;
      if (original.retryAfter !== undefined) extensions.retryAfter = original.retryAfter;
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
    }
    const apolloCode = formatted.extensions?.code;
    if (typeof apolloCode === 'string' && CLIENT_CODES.has(apolloCode)) {
      const code: ErrorCode = 'BAD_USER_INPUT';
      return { message: formatted.message, locations: formatted.locations, extensions: { code, detail: apolloCode } };
    }
    onInternalError(original);
    if (exposeInternals) {
      return {
        ...formatted,
        extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode },
      };
    }
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
