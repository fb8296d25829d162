import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configTableMarkdown } from '../src/config-table.ts';

/** Cells of a Markdown table, trimmed: the formatter may pad columns, the content must not change. */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((row) =>
      row
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((cell) => cell.trim().replace(/^-+$/, '---')),
    );
}

describe('README', () => {
  it('documents every setting exactly as the launcher validates it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme)?.[1];
    expect(table, 'README.md has the config-table markers').toBeDefined();
    expect(cells(table ?? '')).toEqual(cells(configTableMarkdown()));
  });
});
