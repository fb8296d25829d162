// `pnpm docs` rewrites the configuration blocks of the READMEs from the env schemas; `--check` only
// says whether they are current (test/readme.test.ts asserts the same).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@photomaker/harness';
import { README_BLOCKS, writeBlock } from '../src/readme-blocks.ts';

const check = process.argv.includes('--check');
let stale = 0;
for (const block of README_BLOCKS) {
  const path = join(repoRoot, block.file);
  const text = readFileSync(path, 'utf8');
  const next = writeBlock(text, block.name, block.content());
  if (next === text) continue;
  stale++;
  if (check) process.stderr.write(`${block.file}: the ${block.name} block is out of date (run pnpm docs)\n`);
  else writeFileSync(path, next);
}
process.exit(check && stale > 0 ? 1 : 0);
