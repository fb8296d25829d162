import type { z } from 'zod';
import type { RunwareError } from './error.ts';
import { PARAMETER_RULES } from './parameter-rules.ts';

const DOCS = 'https://runware.ai/docs/image-inference/photomaker';

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** `strength` -> `invalidStrength`, `safety.mode` -> `invalidSafetyMode`. Stable: clients branch on it. */
export function errorCode(kind: 'missing' | 'invalid', parameter: string): string {
  return kind + parameter.split('.').map(capitalize).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The path as the client wrote it: `photoMaker.images[2]`, `lora[1].weight`. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, at) => (typeof key === 'number' ? `[${key}]` : `${at === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

export interface ErrorContext {
  taskType?: string | undefined;
  taskUUID?: string | undefined;
  documentation?: string | undefined;
}

/** Where in an array the fault is (and, for our own checks, what it is): ` (lora[1].weight)`. */
function indexDetail(issue: z.ZodError['issues'][number]): string {
  const where = pathText(issue.path);
  return issue.code === 'custom' ? ` (${where} ${issue.message})` : ` (at ${where})`;
}

/** The error of one offending parameter: `missingX` when absent, `invalidX` with the rule otherwise. */
function parameterError(
  issue: z.ZodError['issues'][number],
  input: unknown,
  context: ErrorContext,
  names: string[],
): RunwareError {
  const parameter = names.join('.');
  const index = issue.path.find((key): key is number => typeof key === 'number');
  // An absent property (also inside an array's objects: lora[0].model), not an array slot.
  const missing = typeof issue.path.at(-1) === 'string' && valueAt(input, issue.path) === undefined;
  const rule = PARAMETER_RULES[parameter] ?? { rule: 'a valid value' };
  const detail = index === undefined ? '' : indexDetail(issue);
  const message = missing
    ? `Missing required parameter '${parameter}': it must be ${rule.rule}.`
    : `Invalid value for '${parameter}': it must be ${rule.rule}.${detail}`;
  return {
    code: errorCode(missing ? 'missing' : 'invalid', parameter),
    message,
    parameter,
    ...base(context, parameter),
    ...(rule.min !== undefined ? { min: rule.min } : {}),
    ...(rule.max !== undefined ? { max: rule.max } : {}),
    ...(rule.allowedValues ? { allowedValues: [...rule.allowedValues] } : {}),
  };
}

/**
 * The one function that turns a zod failure into Runware-style errors: one per offending parameter,
 * with a stable code (`missingX` when absent, `invalidX` otherwise), the parameter, a message that names
 * the limit, and min/max/allowedValues when the rule has them. Values are never echoed: prompts and
 * images may be private. GraphQL, /v1, the worker and the emulator all use this.
 */
export function toRunwareErrors(
  error: z.ZodError,
  input: unknown,
  context: ErrorContext = {},
): RunwareError[] {
  const errors: RunwareError[] = [];
  const seen = new Set<string>();
  for (const issue of error.issues) {
    const names = issue.path.filter((key): key is string => typeof key === 'string');
    const parameter = names.join('.');
    if (parameter === '' && issue.path.length === 0) {
      errors.push({
        code: 'invalidTaskFormat',
        message: 'A task must be a JSON object with a taskType.',
        ...base(context),
      });
    } else if (!seen.has(parameter)) {
      seen.add(parameter);
      errors.push(parameterError(issue, input, context, names));
    }
  }
  return errors;
}

function base(context: ErrorContext, parameter?: string): Partial<RunwareError> {
  const out: Partial<RunwareError> = {};
  if (context.taskType) out.taskType = context.taskType;
  if (context.taskUUID) out.taskUUID = context.taskUUID;
  out.documentation =
    context.documentation ?? (parameter ? `${DOCS}#request-${parameter.split('.')[0]?.toLowerCase()}` : DOCS);
  return out;
}
