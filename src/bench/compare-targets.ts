import type { CompareReport } from './compare-run.js';
import { fmt } from './markdown.js';

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured by this command (see `npm run bench`) or not applicable here. */
  met: boolean | null;
}

/** The issue's performance targets that compare itself measures; the rest belong to bench. */
export function compareTargets(r: CompareReport): TargetCheck[] {
  const jwt = r.workload.jwt;
  const cost = jwt.authCost;
  const worstWindow = Math.max(jwt.revocationWindow.maxMs, r.workload.session.revocationWindow.maxMs);
  const never = jwt.revocationWindow.neverRefused + r.workload.session.revocationWindow.neverRefused;
  const realBackends = r.backend.name === 'postgres+redis';
  const refresh = jwt.latency.refresh;
  return [
    {
      target: 'JWT authentication (verify + revocation check) median ≤ 50 µs',
      measured: `${fmt(cost.repeated.medianUs, 2)} µs with a credential seen before; ${fmt(cost.firstSight?.medianUs, 2)} µs on first sight; raw ${cost.raw?.alg ?? ''} verify alone ${fmt(cost.raw?.medianUs, 2)} µs`,
      met: cost.repeated.medianUs <= 50,
    },
    {
      target: 'a revoked credential is refused on another instance within 1 s',
      measured: `worst ${fmt(worstWindow, 1)} ms from sending the revoke${never ? `; ${never} never refused` : ''}`,
      met: never === 0 && worstWindow <= 1_000,
    },
    {
      target: 'refresh ≥ 300/s with PostgreSQL and Redis',
      measured: `${fmt(refresh.perSec)}/s JWT with ${refresh.concurrency} in flight (closed loop; the load figure is in \`npm run bench\`)`,
      met: realBackends ? refresh.perSec >= 300 : null,
    },
    { target: 'authenticated `me` ≥ 90% of the unauthenticated baseline', measured: 'see `npm run bench`', met: null },
    { target: 'login within 90% of the raw argon2id rate', measured: 'see `npm run bench`', met: null },
  ];
}
