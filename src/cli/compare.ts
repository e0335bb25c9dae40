import { compareHtml } from '../bench/compare-html.js';
import { compareMarkdown } from '../bench/compare-markdown.js';
import { runCompare } from '../bench/compare-run.js';
import { compareSizes } from '../bench/options.js';
import { writeReport } from '../bench/report-files.js';
import { runCli } from '../bench/cli-run.js';

/**
 * `npm run compare`: one workload against both modes on one user store, on the embedded
 * defaults or on DATABASE_URL / REDIS_URL (in a scratch database and key prefix of its own).
 * The table goes to stdout; reports/compare.json and reports/compare.html are written.
 * `--quick` (or COMPARE_SIZE=quick) runs a reduced size.
 */
async function main(): Promise<void> {
  const sizes = compareSizes(process.argv.slice(2), process.env);
  const log = (line: string) => process.stderr.write(`[compare] ${line}\n`);
  const report = await runCompare(process.env, sizes, log);
  const markdown = compareMarkdown(report);
  const json = writeReport('compare.json', `${JSON.stringify(report, null, 2)}\n`);
  const html = writeReport('compare.html', compareHtml(report, markdown));
  process.stdout.write(`${markdown}\n`);
  log(`wrote ${json} and ${html}`);
}

runCli('compare', main);
