import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { HttpExchange } from '../auth/strategy.js';

export const BENCH_USER_AGENT = 'identity-compare/1.0';

/**
 * A request and response as Express builds them for `POST /graphql`, without a socket, so a
 * strategy's middleware and `authenticate` can run in-process in a tight loop.
 */
export function fakeExchange(app: Express, headers: Record<string, string>): HttpExchange {
  const req = new IncomingMessage(new Socket()) as unknown as Request;
  req.method = 'POST';
  req.url = '/graphql';
  req.originalUrl = '/graphql';
  req.headers = { host: '127.0.0.1', 'content-type': 'application/json', 'user-agent': BENCH_USER_AGENT, ...lower(headers) };
  const res = new ServerResponse(req as unknown as IncomingMessage) as unknown as Response;
  Object.setPrototypeOf(req, app.request);
  Object.setPrototypeOf(res, app.response);
  Object.assign(req, { res, app });
  Object.assign(res, { req, app, locals: {} });
  return { req, res, client: { ip: '127.0.0.1', userAgent: BENCH_USER_AGENT } };
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Runs middleware in order, as Express would before the GraphQL handler. */
export async function runMiddleware(chain: readonly RequestHandler[], http: HttpExchange): Promise<void> {
  for (const handler of chain) {
    await new Promise<void>((resolve, reject) => {
      const next = (error?: unknown) => (error && error !== 'route' && error !== 'router' ? reject(error) : resolve());
      try {
        const out = handler(http.req, http.res, next) as unknown;
        if (out instanceof Promise) out.catch(reject);
      } catch (error) {
        reject(error);
      }
    });
  }
}
