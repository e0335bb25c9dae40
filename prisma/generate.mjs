// Runs at `npm install`: generates the Prisma client and the GraphQL resolver types.
// `prisma generate` needs no engine binary, but Prisma 7 looks for the schema engine before it
// starts and tries to download it when absent; naming any existing file skips that download, so
// install works where Prisma's binary host cannot be reached. Generate never runs that file.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';

for (const args of [['prisma', 'generate'], ['graphql-codegen', '--config', 'codegen.ts']]) {
  const result = spawnSync('npx', ['--no-install', ...args], { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
