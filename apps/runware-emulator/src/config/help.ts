import { defaultText } from '@photomaker/env';
import type { z } from 'zod';
import { emulatorEnv } from '../env.ts';
import { ENV_FLAGS, FLAG_ARGS, flagOnlySchema } from './flags.ts';

const plain = (text: string) => text.replaceAll('`', '');

function line(usage: string, env: string, variable: z.ZodType): string {
  const fallback = defaultText(variable);
  const suffix = fallback === 'unset' ? '' : ` (default ${plain(fallback)})`;
  return `  ${usage.padEnd(27)}${env.padEnd(29)}${plain(variable.description ?? '')}${suffix}`;
}

function optionLines(): string[] {
  const envLines = Object.entries(ENV_FLAGS).map(([name, { flag, arg }]) =>
    line(`--${flag} ${arg}`, name, emulatorEnv.shape[name as keyof typeof ENV_FLAGS]),
  );
  const flagLines = Object.entries(FLAG_ARGS).map(([flag, arg]) =>
    line(`--${flag} ${arg}`, '', flagOnlySchema.shape[flag as keyof typeof FLAG_ARGS]),
  );
  return [...envLines, ...flagLines, `  ${'-h, --help'.padEnd(56)}this text`];
}

/** `--help`, generated from the env schema (env.ts) and the flag-only settings (flags.ts). */
export const HELP = `runware-emulator: a local Runware API (REST + WebSocket at /v1) that makes real images.

Usage: pnpm emulator [options]        (node apps/runware-emulator/src/main.ts [options])

Options (flag, then environment variable; flags win):
${optionLines().join('\n')}

Admin API (loopback only): GET /admin/inspect, GET /admin/inspect/tasks/<taskUUID>,
GET|PUT|PATCH|DELETE /admin/faults, GET|PUT /admin/balance, GET|PUT /admin/latency, POST /admin/reset.
`;
