import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

/** The real entry point as an operator runs it: config errors, boot, SIGTERM. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src', 'main.ts')], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { children.delete(child); resolve(code); }));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function waitForLog(get: () => string, pattern: RegExp, ms = 30_000): Promise<RegExpMatchArray> {
  const end = Date.now() + ms;
  for (;;) {
    const match = get().match(pattern);
    if (match) return match;
    if (Date.now() > end) throw new Error(`log did not show ${pattern} within ${ms} ms:\n${get().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the service process', () => {
  it('stops the boot with exit code 1 and one line naming a bad variable', async () => {
    const p = run({ ACCESS_TOKEN_TTL: 'fifteen minutes' });
    expect(await p.exited).toBe(1);
    const lines = p.err().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ACCESS_TOKEN_TTL: .*15m/);
  });

  it('refuses to boot in production without KEY_ENCRYPTION_KEY', async () => {
    const p = run({ NODE_ENV: 'production' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/^config error: KEY_ENCRYPTION_KEY: required/);
  });

  it('boots on the embedded defaults, serves, and exits cleanly on SIGTERM within 10 s', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'identity-proc-'));
    try {
      const p = run({ DATA_DIR: dataDir, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' });
      const [, port] = await waitForLog(p.out, /"port":(\d+)/);
      await waitForLog(p.out, /"msg":"ready"/);
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation { register(input: {email: "proc@example.com", password: "correct horse battery"}) { user { email } } }' }),
      });
      expect(((await res.json()) as any).data.register.user.email).toBe('proc@example.com');
      const stoppedAt = Date.now();
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      // Nothing secret reached the logs.
      expect(p.out()).not.toMatch(/correct horse|argon2id\$|Bearer /);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
