import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type Response } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Config } from '../config.js';
import type { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

/** Request bodies are GraphQL documents and variables: small. */
export const BODY_LIMIT = '100kb';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Everything in front of the routes: proxy trust, headers, request ids, logs, CORS, body. */
export function createHttpPipeline(app: Express, config: Config, logger: Logger, metrics: Metrics): void {
  app.disable('x-powered-by');
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);

  // A JSON API: no content is meant to be framed, sniffed or cached. Outside production the
  // Sandbox page needs its scripts, so the content policy is left to production.
  app.use(
    helmet({
      contentSecurityPolicy: config.production ? { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } : false,
      crossOriginEmbedderPolicy: false,
      hsts: config.production,
    }),
  );

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // Only what is safe: never headers (Authorization, Cookie) or bodies.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url?.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );

  app.use((req, res, next) => {
    // Read the path now: routers mounted at a path (app.use('/graphql', …)) rewrite req.url.
    const path = req.path;
    const end = metrics.httpDuration.startTimer({ method: req.method, route: path === '/graphql' ? '/graphql' : 'other' });
    res.on('finish', () => {
      const route = ['/graphql', '/healthz', '/readyz', '/metrics', '/.well-known/jwks.json'].includes(path) ? path : 'other';
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      end();
    });
    next();
  });

  // Credentials (cookies, Authorization) are allowed only from listed origins; none by default.
  const allowed = new Set(config.corsOrigins);
  app.use(
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      maxAge: 600,
    }),
  );

  app.use(express.json({ limit: BODY_LIMIT }));
}

/** A GraphQL-shaped error body, for failures that happen before GraphQL runs. */
export function graphqlErrorResponse(res: Response, error: AppError, status = error.httpStatus ?? 400): void {
  res.status(status).set('cache-control', 'no-store').json({
    errors: [{ message: error.message, extensions: { code: error.code, ...error.extensions } }],
  });
}

/** Unknown routes and errors outside GraphQL (malformed JSON, oversized bodies) as clear 4xx. */
export function installErrorHandlers(app: Express, logger: Logger): void {
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Not found', extensions: { code: 'BAD_USER_INPUT' } }] });
  });
  const handler: ErrorRequestHandler = (error, _req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, 'unhandled HTTP error');
    const message =
      error?.type === 'entity.too.large'
        ? `Request body is larger than ${BODY_LIMIT}`
        : error?.type === 'entity.parse.failed'
          ? 'Request body is not valid JSON'
          : status === 500
            ? 'Internal server error'
            : 'Bad request';
    if (res.headersSent) return;
    res.status(status).json({
      errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT' } }],
    });
  };
  app.use(handler);
}
