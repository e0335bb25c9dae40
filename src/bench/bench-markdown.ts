import type { BenchReport } from './bench-run.js';
import type { ScenarioResult } from './bench-mode.js';
import { fmt, table, verdict } from './markdown.js';

const scenario = (r: BenchReport, mode: string, name: string) =>
  r.modes.find((m) => m.mode === mode)?.scenarios.find((s) => s.name === name);

/** The issue's targets that the load benchmark checks. */
function targets(r: BenchReport): Array<[string, string, string]> {
  const rows: Array<[string, string, string]> = [];
  for (const m of r.modes) {
    const me = scenario(r, m.mode, 'authenticated me')!;
    rows.push([`authenticated \`me\` ≥ 90% of baseline (${m.mode})`, `${fmt(me.ratioToBaseline * 100, 1)}% (${fmt(me.requestsPerSec)} vs ${fmt(m.baseline.requestsPerSec)} req/s)`, verdict(me.ratioToBaseline >= 0.9)]);
  }
  const real = r.backend === 'postgres+redis';
  for (const m of r.modes) {
    const refresh = scenario(r, m.mode, 'refresh')!;
    rows.push([`refresh ≥ 300/s with PostgreSQL and Redis (${m.mode})`, `${fmt(refresh.requestsPerSec)} req/s on ${r.backend}`, verdict(real ? refresh.requestsPerSec >= 300 : null)]);
  }
  for (const m of r.modes) {
    const login = scenario(r, m.mode, 'login')!;
    const share = login.requestsPerSec / m.argon2Mean;
    const raw = m.argon2.map((a) => fmt(a.hashesPerSec)).join(' / ');
    rows.push([`login ≥ 90% of the raw argon2id rate (${m.mode})`, `${fmt(share * 100, 1)}% (${fmt(login.requestsPerSec)} logins/s vs ${raw} hashes/s just before / after)`, verdict(share >= 0.9)]);
  }
  return rows;
}

const row = (mode: string, s: ScenarioResult) => [
  mode, s.name, fmt(s.requestsPerSec), s.rounds.length > 1 ? s.rounds.map((n) => fmt(n)).join(' / ') : '', fmt(s.p50Ms, 2), fmt(s.p99Ms, 2),
  fmt(s.ratioToBaseline, 3), `${s.errors} / ${s.graphqlErrors}`,
];

export function benchMarkdown(r: BenchReport): string {
  const rows = r.modes.flatMap((m) => [row(m.mode, m.baseline), ...m.scenarios.map((s) => row(m.mode, s))]);
  const mc = r.machine;
  const a = r.modes[0]?.argon2[0];
  const firstErrors = r.modes.flatMap((m) => m.scenarios.filter((s) => s.firstError).map((s) => `- ${m.mode} ${s.name}: ${s.firstError}`));
  return [
    `## Load benchmark (autocannon) on ${r.backend}`,
    '',
    `${mc.cpu}, ${mc.cores} cores, ${mc.os}, Node ${mc.node}; load average at the end ${mc.loadAverage.join(' ')}. ` +
      `${r.bench.connections} connections, ${r.bench.durationSec} s per scenario, one in-process instance on 127.0.0.1, load generated from a worker thread; ` +
      `baseline and \`me\` are the best of interleaved rounds (all rounds listed); ${r.durationSec} s in all.`,
    '',
    table(['mode', 'scenario', 'req/s', 'rounds (req/s)', 'p50 ms', 'p99 ms', 'ratio to baseline', 'errors / GraphQL errors'], rows),
    '',
    `Raw argon2id (${a?.params ?? ''}), ${a?.concurrency ?? ''} in flight: ${r.modes.map((m) => `${m.mode} ${m.argon2.map((x) => fmt(x.hashesPerSec)).join(' / ')}`).join('; ')} hashes/s (before / after each login scenario).`,
    '',
    '### Targets',
    '',
    table(['target', 'measured', ''], targets(r)),
    ...(firstErrors.length ? ['', 'First errors seen:', ...firstErrors] : []),
    '',
    `Settings: ${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join('; ')}`,
  ].join('\n');
}
