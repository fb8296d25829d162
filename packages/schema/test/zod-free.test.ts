import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/job/index.ts', import.meta.url));
// Runtime imports only: `import type` / `export type` vanish when types are stripped.
const RUNTIME_IMPORT = /^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm;

/** Every module the entry loads at run time, following relative imports. */
function runtimeGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const specifiers = [...readFileSync(file, 'utf8').matchAll(RUNTIME_IMPORT)].map((m) => m[1] ?? '');
  seen.set(file, specifiers);
  for (const specifier of specifiers) {
    if (specifier.startsWith('.')) runtimeGraph(resolve(dirname(file), specifier), seen);
  }
  return seen;
}

describe('@photomaker/schema/job', () => {
  it('loads no zod and no package at run time (workflow code imports it)', () => {
    const graph = runtimeGraph(entry);
    const external = [...graph.values()].flat().filter((specifier) => !specifier.startsWith('.'));
    expect(external).toEqual([]);
    expect(graph.size).toBeGreaterThanOrEqual(4);
  });

  it('exports the same behaviour as the main entry', async () => {
    const job = await import('../src/job/index.ts');
    const main = await import('../src/index.ts');
    expect(job.statusForStage).toBe(main.statusForStage);
    expect(job.applyJobEvent).toBe(main.applyJobEvent);
    expect(job.addToSeed).toBe(main.addToSeed);
  });
});
