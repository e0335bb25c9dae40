import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one app instance (own registry: several apps may share a process). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly graphqlOperations: Counter<'operation' | 'outcome'>;
  readonly authOutcomes: Counter<'operation' | 'outcome' | 'reason'>;
  /** Audit-trail events as they are recorded, by type and outcome (success, failure). */
  readonly authEvents: Counter<'event' | 'outcome'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL root fields executed, by field and outcome (ok or the error code)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    authOutcomes: new Counter({
      name: 'auth_outcomes_total',
      help: 'Authentication operations by outcome (ok or error code) and UNAUTHENTICATED reason',
      labelNames: ['operation', 'outcome', 'reason'],
      registers: [registry],
    }),
    authEvents: new Counter({
      name: 'auth_events_total',
      help: 'Authentication events recorded in the audit trail, by event type and outcome',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
  };
}
