import { Router } from 'express';
import { withDeadline } from '../stores/deadline.js';
import type { Metrics } from './metrics.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** /healthz (the process serves), /readyz (its dependencies answer) and /metrics. */
export function createOpsRouter(checks: ReadinessCheck[], metrics: Metrics, timeoutMs: number): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withDeadline(check(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
          return { name, ok: true as const };
        } catch (error) {
          return { name, ok: false as const, error: (error as Error).message };
        }
      }),
    );
    const failed = results.filter((r) => !r.ok);
    res.status(failed.length === 0 ? 200 : 503).json({
      status: failed.length === 0 ? 'ready' : 'unavailable',
      failed: failed.map((r) => r.name),
      checks: Object.fromEntries(results.map((r) => [r.name, r.ok ? 'ok' : 'failed'])),
    });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
