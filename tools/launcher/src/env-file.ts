import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * Reads a dotenv file with Node's own parser (`util.parseEnv`: comments, quotes, `export KEY=`).
 * The default `.env` may be absent; a file named with `--dotenv` must exist.
 */
export function readEnvFile(path: string, required: boolean): Record<string, string> {
  if (!existsSync(path)) {
    if (required) throw new Error(`--dotenv: ${path} does not exist`);
    return {};
  }
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}
