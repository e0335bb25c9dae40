import { loadConfig } from '../config.js';
import { fileDevSecrets } from '../dev-secrets.js';
import { createDatabase } from '../stores/database.js';
import { applyMigrations } from '../stores/migrations.js';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
const config = loadConfig(process.env, fileDevSecrets);
const db = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const applied = await applyMigrations(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} catch (error) {
  console.error(`migration failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
