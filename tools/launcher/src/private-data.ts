import { chmodSync, mkdirSync } from 'node:fs';

/**
 * The data dir holds secrets, Redis's AOF (job records, events), Temporal's database and every face the
 * stack stored: readable by the user who runs the stack only. The umask covers every file the launcher
 * and its children (inherit it) create, whatever they pass; the chmod closes a data dir made before.
 */
export function makeDataDirPrivate(dataDir: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}
