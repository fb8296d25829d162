import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@photomaker/harness';
import { describe, expect, it } from 'vitest';
import { APP_ENVS, APP_NAMES, SET_BY_LAUNCHER } from '../src/app-envs.ts';
import { configTableMarkdown } from '../src/config-table.ts';
import { launcherEnv } from '../src/env.ts';
import { README_BLOCKS, readBlock } from '../src/readme-blocks.ts';

/** Cells of a Markdown table, trimmed: a formatter may pad columns, the content must not change. */
function cells(block: string): string[][] {
  return block
    .trim()
    .split('\n')
    .map((row) =>
      row
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim().replace(/^-+$/, '---')),
    );
}

describe('README configuration blocks', () => {
  for (const block of README_BLOCKS) {
    it(`${block.file} <!-- ${block.name} --> is what the env schemas say (pnpm docs rewrites it)`, () => {
      const text = readBlock(readFileSync(join(repoRoot, block.file), 'utf8'), block.name);
      expect(text, `${block.file} has the ${block.name} markers`).toBeDefined();
      expect(cells(text ?? '')).toEqual(cells(block.content()));
    });
  }

  it('every variable of every app schema reaches the launcher reference', () => {
    const reference = configTableMarkdown();
    const variables = APP_NAMES.flatMap((app) => Object.keys(APP_ENVS[app].schema.shape));
    for (const name of [...Object.keys(launcherEnv.shape), ...variables]) {
      expect(reference, name).toContain(`\`${name}\``);
    }
    // The launcher's own table documents the variables it decides, once each, with its defaults.
    const launcherTable = reference.split('\n\n')[0] ?? '';
    for (const name of Object.keys(launcherEnv.shape)) {
      expect(launcherTable.match(new RegExp(`^\\| \`${name}\` \\|`, 'gm')), name).toHaveLength(1);
    }
  });

  it('a variable the launcher sets is one the app reads', () => {
    for (const app of APP_NAMES) {
      for (const name of SET_BY_LAUNCHER[app])
        expect(Object.keys(APP_ENVS[app].schema.shape)).toContain(name);
    }
  });
});
