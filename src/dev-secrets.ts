import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevSecrets } from './config.js';

/**
 * Outside production the service makes its own key-encryption key and session secret when
 * none is configured. They are kept in DATA_DIR (mode 0600) so that a restart can still
 * decrypt the signing keys and verify old cookies; production must configure its own.
 */
export function fileDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'dev-secrets.json');
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { keyEncryptionKey: string; sessionSecret: string };
    return { keyEncryptionKey: Buffer.from(saved.keyEncryptionKey, 'hex'), sessionSecret: saved.sessionSecret };
  } catch {
    const secrets = { keyEncryptionKey: randomBytes(32), sessionSecret: randomBytes(32).toString('base64url') };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({ keyEncryptionKey: secrets.keyEncryptionKey.toString('hex'), sessionSecret: secrets.sessionSecret }),
      { mode: 0o600 },
    );
    return secrets;
  }
}
