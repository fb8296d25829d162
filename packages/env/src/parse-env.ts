import type { z } from 'zod';
import { isSecret } from './describe-env.ts';

export type EnvInput = Readonly<Record<string, string | undefined>>;

export type EnvResult<T> = { ok: true; data: T } | { ok: false; problems: string[] };

export interface ParseEnvOptions {
  /** How a variable is named in a problem (e.g. with the flag that sets it); default: its name. */
  label?: (name: string) => string;
}

/** The schema's variables from `env`; an empty value means unset (a `KEY=` line of a .env template). */
export function pickEnv(schema: z.ZodObject, env: EnvInput): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}

/**
 * Parses `env` with a process's schema. Every problem is one line naming the variable and the rule,
 * with the value shown unless the variable is a secret; all problems are reported at once.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: EnvInput,
  options: ParseEnvOptions = {},
): EnvResult<z.output<S>> {
  const input = pickEnv(schema, env);
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const label = options.label ?? ((name: string) => name);
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    const variable = schema.shape[name] as z.ZodType | undefined;
    const value = input[name];
    const shown =
      value === undefined || (variable && isSecret(variable)) ? '' : ` (got ${JSON.stringify(value)})`;
    return `${label(name)}: ${issue.message}${shown}`;
  });
  return { ok: false, problems };
}
