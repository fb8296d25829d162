import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** The folders under the composition root, top first: each may import only the ones after it (README, Layout). */
const ORDER = [
  'http',
  'ws',
  'dispatch',
  'tasks',
  'protocol',
  'generation',
  'images',
  'delivery',
  'state',
  'faults',
];
/** Leaf modules every layer may use: the request context and key types, the latency model. */
const SHARED = new Set(['context.ts', 'auth.ts', 'config/latency.ts']);
/** The composition root: nothing else imports it. */
const ROOT = new Set(['emulator.ts', 'create-context.ts', 'main.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** `from`-file -> imported file, both relative to src/, for every relative import. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((match) =>
    relative(SRC, resolve(dirname(file), match[1] as string)),
  );
}

const folderOf = (path: string) => (path.includes('/') ? (path.split('/')[0] as string) : '.');

const edges = sourceFiles(SRC).flatMap((file) => {
  const from = relative(SRC, file);
  return importsOf(file).map((to) => ({ from, to }));
});

describe('the emulator source layering', () => {
  it('finds the imports it checks', () => {
    expect(
      edges.some((edge) => edge.from === 'dispatch/run-batch.ts' && edge.to === 'tasks/photo-maker.ts'),
    ).toBe(true);
  });

  it('imports the composition root from nowhere but itself', () => {
    const wrong = edges
      .filter((edge) => ROOT.has(edge.to) && !ROOT.has(edge.from))
      .map((edge) => `${edge.from} -> ${edge.to}`);
    expect(wrong).toEqual([]);
  });

  it('points every folder only at folders below it or the shared leaves', () => {
    const wrong = edges
      .filter(({ from, to }) => {
        const level = ORDER.indexOf(folderOf(from));
        if (level < 0 || SHARED.has(to) || folderOf(to) === folderOf(from)) return false;
        return ORDER.indexOf(folderOf(to)) <= level;
      })
      .map((edge) => `${edge.from} -> ${edge.to}`);
    expect(wrong).toEqual([]);
  });
});
