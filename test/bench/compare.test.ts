import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareHtml } from '../../src/bench/compare-html.js';
import { compareMarkdown } from '../../src/bench/compare-markdown.js';
import { runCompare, type CompareReport } from '../../src/bench/compare-run.js';
import { compareSizes } from '../../src/bench/options.js';
import { writeReport } from '../../src/bench/report-files.js';
import { backends, TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.js';

/**
 * `npm run compare` at a reduced size, so CI keeps it working. Timings are not asserted
 * (they belong to the benchmark); the shape of the report and the security facts it measures are.
 */
describe.each(backends)('compare (reduced size) on $name', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = backend.name === 'embedded' ? {} : { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL };
  let report: CompareReport;

  it('runs the workload against both modes and reports every figure', { timeout: 120_000 }, async () => {
    report = await runCompare({ ...env, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' }, compareSizes(['--quick'], {}), () => {});
    for (const mode of ['jwt', 'session'] as const) {
      const w = report.workload[mode];
      for (const op of ['login', 'me', 'refresh', 'revoke'] as const) {
        expect(w.latency[op].failures, `${mode} ${op}`).toBe(0);
        expect(w.latency[op].perSec).toBeGreaterThan(0);
      }
      expect(w.authCost.repeated.failures).toBe(0);
      expect(w.authCost.repeated.medianUs).toBeGreaterThan(0);
      expect(w.authCost.raw?.medianUs).toBeGreaterThan(0);
      expect(w.wire.perRequest).toBeGreaterThan(0);
      expect(w.counts.login.db.reads).toBeGreaterThan(0);
      expect(report.growth[mode].points).toHaveLength(report.sizes.growthSteps.length + 1);
      expect(report.growth[mode].failures).toBe(0);
    }
    expect(report.workload.jwt.wire.header).toContain('Authorization');
    expect(report.workload.session.wire.header).toBe('Cookie');
    // Verifying a JWT needs no state-store round trip; a session lookup needs one.
    expect(report.workload.jwt.counts.me.storeRoundTrips).toBe(0);
    expect(report.workload.session.counts.me.storeRoundTrips).toBeGreaterThanOrEqual(1);
  });

  it('finds every revoked credential refused on the second instance', () => {
    for (const mode of ['jwt', 'session'] as const) {
      const window = report.workload[mode].revocationWindow;
      expect(window.neverRefused).toBe(0);
      expect(window.refusedWith.every((r) => r.startsWith('UNAUTHENTICATED'))).toBe(true);
    }
  });

  it('reports the state-store outage where there is a store to lose', () => {
    for (const mode of ['jwt', 'session'] as const) {
      const outage = report.outage[mode];
      if (backend.name === 'embedded') expect(outage.applicable).toBe(false);
      else if (outage.applicable) expect(outage.failsClosed).toBe(true);
    }
  });

  it('writes a Markdown table, JSON and an offline HTML page with inline SVG', () => {
    const markdown = compareMarkdown(report);
    expect(markdown).toMatch(/\| +\| JWT \| SESSION \|/);
    writeReport('compare.json', JSON.stringify(report), dir);
    const html = compareHtml(report, markdown);
    writeReport('compare.html', html, dir);
    expect(JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')).machine.node).toBe(process.version);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1|www\.w3\.org)/);
  });
});
