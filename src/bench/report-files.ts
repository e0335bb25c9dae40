import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';

/** Writes reports/<name> (reports/ is gitignored); answers the path. */
export function writeReport(name: string, content: string, dir = process.env.REPORTS_DIR || join(PROJECT_ROOT, 'reports')): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
