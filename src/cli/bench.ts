import { benchMarkdown } from '../bench/bench-markdown.js';
import { runBench } from '../bench/bench-run.js';
import { benchSettings } from '../bench/options.js';
import { writeReport } from '../bench/report-files.js';
import { runCli } from '../bench/cli-run.js';

/**
 * `npm run bench`: autocannon against the service started in-process on 127.0.0.1, per mode:
 * an unauthenticated baseline, authenticated `me`, refresh and login, plus the raw argon2id
 * rate. `--quick` (or BENCH_SIZE=quick) runs 1 s scenarios; BENCH_DURATION sets seconds.
 */
async function main(): Promise<void> {
  const settings = benchSettings(process.argv.slice(2), process.env);
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const report = await runBench(process.env, settings, log);
  const markdown = benchMarkdown(report);
  const json = writeReport('bench.json', `${JSON.stringify(report, null, 2)}\n`);
  writeReport('bench.md', `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  log(`wrote ${json}`);
}

runCli('bench', main);
