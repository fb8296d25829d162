import type { z } from 'zod';

/**
 * What documentation says about one variable. A schema carries it itself: `.describe()` for the
 * meaning, `.meta({ secret: true })` for a value never echoed, `.meta({ defaultText })` when the
 * default is not a literal (`generated`, `the URL it listens on`); otherwise the default comes from the
 * schema's own `.default()` / `.prefault()`.
 */
export interface EnvRow {
  name: string;
  /** The default in words (Markdown: literal values in backticks). */
  default: string;
  description: string;
  secret: boolean;
}

function metaOf(variable: z.ZodType): Record<string, unknown> {
  return (variable.meta() as Record<string, unknown> | undefined) ?? {};
}

export function isSecret(variable: z.ZodType): boolean {
  return metaOf(variable).secret === true;
}

/** Numbers bare, other literals in backticks (a `.prefault('4000')` is the number 4000). */
function literal(value: unknown): string {
  return typeof value === 'string' && !/^[0-9]+$/.test(value) ? `\`${value}\`` : String(value);
}

export function defaultText(variable: z.ZodType): string {
  const text = metaOf(variable).defaultText;
  if (typeof text === 'string') return text;
  const def = variable.def as { type: string; defaultValue?: unknown };
  if (def.type === 'default' || def.type === 'prefault') return literal(def.defaultValue);
  return 'unset';
}

/** One row per variable, in the schema's order; a variable without a description is a programming error. */
export function envRows(schema: z.ZodObject): EnvRow[] {
  return Object.entries(schema.shape).map(([name, variable]) => {
    const description = (variable as z.ZodType).description;
    if (!description) throw new Error(`${name} has no .describe(): every variable is documented`);
    return {
      name,
      default: defaultText(variable as z.ZodType),
      description,
      secret: isSecret(variable as z.ZodType),
    };
  });
}
