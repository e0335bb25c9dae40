import type { CompareReport } from './compare-run.js';
import type { OpCounts } from './op-counts.js';
import { compareTargets } from './compare-targets.js';
import { growthRows } from './growth-rows.js';
import { fmt, table, verdict } from './markdown.js';
import type { OutageResult } from './outage.js';
import type { PhaseResult } from './pool.js';

const lat = (p: PhaseResult) => `${fmt(p.p50Ms, 2)} / ${fmt(p.p99Ms, 2)}${p.failures ? ` (${p.failures} failed: ${p.failureKinds.join(', ')})` : ''}`;
const rate = (p: PhaseResult) => `${fmt(p.perSec)} (${p.concurrency} in flight)`;
const db = (c: OpCounts) => `${fmt(c.db.reads, 2)} / ${fmt(c.db.writes, 2)}${c.db.transactions ? ` (${fmt(c.db.transactions, 2)} tx)` : ''}`;
const kinds = (k: Record<string, number>) => Object.entries(k).map(([name, n]) => `${name} ${fmt(n, 2)}`).join(', ');
const store = (c: OpCounts) =>
  `${fmt(c.storeRoundTrips, 2)}${Object.keys(c.storeByKeyKind).length ? ` (${kinds(c.storeByKeyKind)})` : ''}` +
  `${c.storeCommands !== null && c.storeCommands !== c.storeRoundTrips ? `; ${fmt(c.storeCommands, 2)} commands` : ''}`;

function outageCells(o: OutageResult): [string, string, string] {
  if (!o.applicable) return ['n/a: ' + o.reason, 'n/a', 'n/a'];
  const recovery = o.recoveryMs === null ? 'no (within 20 s)' : `yes, ${fmt(o.recoveryMs, 0)} ms after restart`;
  return [o.failsClosed ? 'yes' : '**NO**', o.stillWorks.join('; ') || 'nothing', `${recovery}; old credential: ${o.credentialAfterRecovery}`];
}

/** The side-by-side table printed on stdout and embedded in the HTML report. */
export function compareMarkdown(r: CompareReport): string {
  const { jwt, session } = r.workload;
  const both = <T,>(f: (w: typeof jwt) => T) => [f(jwt), f(session)] as const;
  const auth = (w: typeof jwt) => w.authCost;
  const rows: Array<readonly (string | number)[]> = [
    ['login p50 / p99 (ms)', ...both((w) => lat(w.latency.login))],
    ['login throughput (/s)', ...both((w) => rate(w.latency.login))],
    ['authenticated `me` p50 / p99 (ms)', ...both((w) => lat(w.latency.me))],
    ['authenticated `me` throughput (/s)', ...both((w) => rate(w.latency.me))],
    ['refresh p50 / p99 (ms)', ...both((w) => lat(w.latency.refresh))],
    ['refresh throughput (/s)', ...both((w) => rate(w.latency.refresh))],
    ['revoke p50 / p99 (ms)', ...both((w) => lat(w.latency.revoke))],
    ['authentication alone, median / p99 (µs), same credential repeated', ...both((w) => `${fmt(auth(w).repeated.medianUs, 2)} / ${fmt(auth(w).repeated.p99Us, 2)}`)],
    ['authentication alone, median / p99 (µs), first sight on instance B', ...both((w) => (auth(w).firstSight ? `${fmt(auth(w).firstSight!.medianUs, 2)} / ${fmt(auth(w).firstSight!.p99Us, 2)}` : '–'))],
    ['raw node:crypto verify, median (µs)', ...both((w) => (auth(w).raw ? `${fmt(auth(w).raw!.medianUs, 2)} (${auth(w).raw!.alg})` : auth(w).rawNote ?? '–'))],
    ['credential bytes per request', ...both((w) => `${w.wire.perRequest} B (${w.wire.header})`)],
    ['credential bytes issued by a login', ...both((w) => `${w.wire.issuedAtLogin} B`)],
    ['state-store round trips per `me`', ...both((w) => store(w.counts.me))],
    ['state-store round trips per refresh', ...both((w) => store(w.counts.refresh))],
    ['state-store round trips per login', ...both((w) => store(w.counts.login))],
    ['state-store round trips per revoke', ...both((w) => store(w.counts.revoke))],
    ['DB reads / writes per login', ...both((w) => db(w.counts.login))],
    ['DB reads / writes per refresh', ...both((w) => db(w.counts.refresh))],
    ['DB reads / writes per revoke', ...both((w) => db(w.counts.revoke))],
    ['DB reads / writes per `me`', ...both((w) => db(w.counts.me))],
    ['revocation window A→B, median / max (ms) from sending revoke', ...both((w) => `${fmt(w.revocationWindow.medianMs, 2)} / ${fmt(w.revocationWindow.maxMs, 2)}`)],
    ['… after A answered the revoke, median / max (ms)', ...both((w) => `${fmt(w.revocationWindow.afterAckMedianMs, 2)} / ${fmt(w.revocationWindow.afterAckMaxMs, 2)}${w.revocationWindow.acceptedAfterAck ? ` (${w.revocationWindow.acceptedAfterAck} accepted after ack)` : ''}`)],
    ...growthRows(r),
    ['state store down: fails closed?', outageCells(r.outage.jwt)[0], outageCells(r.outage.session)[0]],
    ['state store down: still answers', outageCells(r.outage.jwt)[1], outageCells(r.outage.session)[1]],
    ['state store back: recovers?', outageCells(r.outage.jwt)[2], outageCells(r.outage.session)[2]],
  ];
  const m = r.machine;
  return [
    `## JWT or sessions? Measured on ${r.backend.name}`,
    '',
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average ${m.loadAverage.join(' ')}. ` +
      `Database: ${r.backend.database}. State store: ${r.backend.stateStore}. ${r.sizes.users} users; ${r.durationSec} s.`,
    '',
    table(['', 'JWT', 'SESSION'], rows),
    '',
    '### Targets',
    '',
    table(['target', 'measured', ''], compareTargets(r).map((t) => [t.target, t.measured, verdict(t.met)])),
    '',
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `Mass logins for the growth rows used ARGON2_MEMORY_KIB=1024 ARGON2_TIME_COST=1 (not the configured parameters) and bulk-inserted users. ` +
      `Growth: ${r.growth.jwt.points.map((p) => `${p.label}: ${p.method}`).join('; ')}. ` +
      'Logins made in-process skip the service layer, so they add no rate-limit/`login:` keys and no audit rows: those per-login figures come from the HTTP step. ' +
      'Heap figures are whole-process V8 heap after a full GC and are noisy; the store bytes are the steadier measure.',
  ].join('\n');
}
