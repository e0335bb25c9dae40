import type { RunningApp } from '../app.js';
import { loadConfig } from '../config.js';
import { appEnv, effectiveSettings, MODES, runSecrets, type Mode } from './app-env.js';
import { startOne } from './app-group.js';
import { benchMode, type ModeBench } from './bench-mode.js';
import { createBenchBackend, type BenchBackend } from './backend.js';
import { insertUsers } from './growth.js';
import { machineInfo, type MachineInfo } from './machine.js';
import type { BenchSettings } from './options.js';
import { round } from './stats.js';

export interface BenchReport {
  generatedAt: string;
  durationSec: number;
  machine: MachineInfo;
  backend: BenchBackend['name'];
  settings: Record<string, string>;
  bench: BenchSettings;
  modes: ModeBench[];
}

const startApp = (env: Record<string, string>) => startOne(env, {});

async function benchOne(mode: Mode, env: Record<string, string>, emails: string[], settings: BenchSettings, log: (l: string) => void): Promise<ModeBench> {
  const { app, url } = await startApp(env);
  try {
    return await benchMode(mode, url, app.config, emails, { url, durationSec: settings.durationSec, connections: settings.connections }, log);
  } finally {
    await app.stop();
  }
}

/** HTTP load against one in-process instance per mode, on 127.0.0.1, plus the raw argon2 rate. */
export async function runBench(runEnv: Record<string, string | undefined>, settings: BenchSettings, log: (l: string) => void): Promise<BenchReport> {
  const started = performance.now();
  const backend = await createBenchBackend(runEnv);
  const secrets = runSecrets();
  const envFor = (mode: Mode) => appEnv(mode, runEnv, backend.env(backend.redisUrl ? backend.newPrefix(`bench-${mode}`) : undefined), secrets);
  try {
    const config = loadConfig(envFor('jwt'));
    const emails = Array.from({ length: settings.connections * 3 }, (_, i) => `bench.${i}@bench.example.com`);
    const modes: ModeBench[] = [];
    for (const mode of MODES) {
      const env = envFor(mode);
      if (mode === MODES[0]) await withDatabase(env, (app) => insertUsers(app.database, emails, config.argon2));
      modes.push(await benchOne(mode, env, emails, settings, log));
    }
    return {
      generatedAt: new Date().toISOString(),
      durationSec: round((performance.now() - started) / 1000, 1),
      machine: machineInfo(),
      backend: backend.name,
      settings: effectiveSettings(config),
      bench: settings,
      modes,
    };
  } finally {
    await backend.cleanup();
  }
}

/** Runs `fn` with a migrated app on the run's database (to insert the users). */
async function withDatabase(env: Record<string, string>, fn: (app: RunningApp) => Promise<void>): Promise<void> {
  const { app } = await startApp(env);
  try {
    await fn(app);
  } finally {
    await app.stop();
  }
}
