import type { Violation } from './violations.ts';

/** One HTTP answer of the API, its body parsed when it is JSON. */
export interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
  text: string;
}

export interface GraphQLErrorShape {
  message?: string;
  extensions?: {
    code?: string;
    runwareCode?: string;
    parameter?: string;
    runwareErrors?: { runwareCode: string; parameter: string }[];
  };
}

/** A broken promise: what fast-check reports as a property failure. */
class Violated extends Error {}

export function must(condition: unknown, message: () => string): asserts condition {
  if (!condition) throw new Violated(message());
}

export const graphqlErrors = (answer: Answer) => (answer.body?.errors ?? []) as GraphQLErrorShape[];
export const graphqlErrorCodes = (answer: Answer) => graphqlErrors(answer).map((e) => e.extensions?.code);

/** Every Runware code a GraphQL error answer names, with its parameter. */
export function graphqlCodes(errors: GraphQLErrorShape[]): { code: string; parameter: string }[] {
  const out: { code: string; parameter: string }[] = [];
  for (const e of errors) {
    for (const r of e.extensions?.runwareErrors ?? [])
      out.push({ code: r.runwareCode, parameter: r.parameter });
    if (e.extensions?.runwareCode)
      out.push({ code: e.extensions.runwareCode, parameter: e.extensions.parameter ?? '' });
  }
  return out;
}

function describeViolations(violations: readonly Violation[]): string {
  return violations
    .map((v) => `${v.parameter} (${v.rule}: ${JSON.stringify(v.graphql)?.slice(0, 60)})`)
    .join(', ');
}

/** The top-level parameters the violations broke: the only ones an answer may name. */
const brokenRoots = (violations: readonly Violation[]) =>
  new Set(violations.map((v) => v.parameter.split('.')[0]));

/** Throws unless a GraphQL answer refuses the input with BAD_USER_INPUT naming only broken parameters. */
export function refusedGraphQL(answer: Answer, violations: readonly Violation[], input: unknown): void {
  const errors = graphqlErrors(answer);
  const data = answer.body?.data as { generatePhotoMaker?: unknown } | null | undefined;
  const what = () => describeViolations(violations);
  must(!data?.generatePhotoMaker, () => `accepted: ${JSON.stringify(input).slice(0, 300)}`);
  must(
    errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT'),
    () => `codes ${errors.map((e) => e.extensions?.code)} for ${what()}`,
  );
  const named = graphqlCodes(errors);
  const allowed = new Set(violations.flatMap((v) => v.codes));
  must(
    named.length > 0 && named.some((n) => allowed.has(n.code)),
    () => `named ${JSON.stringify(named)} for ${what()}`,
  );
  const roots = brokenRoots(violations);
  const stray = named.filter((n) => !roots.has(n.parameter.split('.')[0]));
  must(stray.length === 0, () => `named untouched parameters ${JSON.stringify(stray)} for ${what()}`);
}

/** Throws unless a /v1 answer is a 400 naming a broken parameter's code and nothing else. */
export function refusedV1(answer: Answer, violations: readonly Violation[]): void {
  const errors = (answer.body?.errors ?? []) as { code: string; parameter?: string }[];
  const what = () => describeViolations(violations);
  must(answer.status === 400, () => `status ${answer.status} for ${what()}: ${answer.text.slice(0, 200)}`);
  must(!answer.body?.data, () => `data in a refusal for ${what()}`);
  const allowed = new Set(violations.flatMap((v) => v.codes));
  must(
    errors.some((e) => allowed.has(e.code)),
    () => `codes ${errors.map((e) => e.code)} for ${what()}`,
  );
  const roots = brokenRoots(violations);
  const stray = errors.filter((e) => !roots.has(String(e.parameter ?? '').split('.')[0]));
  must(stray.length === 0, () => `named untouched parameters ${JSON.stringify(stray)} for ${what()}`);
}
