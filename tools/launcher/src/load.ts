import { resolve } from 'node:path';
import { repoRoot } from '@photomaker/harness';
import { type CliFlags, parseCliArgs } from './cli-args.ts';
import { loadConfig, type StackConfig } from './config.ts';
import { readEnvFile } from './env-file.ts';

/** argv + environment + `.env` -> validated config (throws UsageError, ConfigError or a missing --dotenv). */
export function configFromProcess(
  argv: string[],
  processEnv: NodeJS.ProcessEnv,
): { flags: CliFlags; config?: StackConfig } {
  const flags = parseCliArgs(argv);
  if (flags.help) return { flags };
  const rootDir = repoRoot.replace(/\/$/, '');
  const envFile = flags.envFile ? resolve(flags.envFile) : resolve(rootDir, '.env');
  const fileEnv = readEnvFile(envFile, flags.envFile !== undefined);
  return { flags, config: loadConfig({ rootDir, processEnv, fileEnv, flags }) };
}
