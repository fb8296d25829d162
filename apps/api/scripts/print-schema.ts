// Writes apps/api/schema.graphql from the code; `--check` fails when the committed file differs (CI).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printSdl } from '../src/graphql/schema.ts';

const target = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const sdl = printSdl();
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // missing counts as different
  }
  if (committed !== sdl) {
    console.error('apps/api/schema.graphql is out of date: run `node apps/api/scripts/print-schema.ts`');
    process.exit(1);
  }
} else {
  writeFileSync(target, sdl);
  console.warn(`wrote ${target}`);
}
