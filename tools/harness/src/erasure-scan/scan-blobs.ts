import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNeedles, type Needle } from './needles.ts';

/** A blob store as the scan reads it: every file of a directory, or every object a listing yields. */
export type BlobSource =
  | { kind: 'dir'; dir: string }
  | { kind: 'objects'; objects: () => AsyncIterable<{ key: string; body: Uint8Array }> };

export interface AreaScan {
  /** Files, objects, keys, events or log lines read. */
  scanned: number;
  hits: string[];
}

async function* filesUnder(dir: string): AsyncIterable<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (entry.isFile()) yield path;
  }
}

/** Every file (blobs, sidecars, temp files) or object: its name and its bytes. */
export async function scanBlobs(source: BlobSource, needles: readonly Needle[]): Promise<AreaScan> {
  const scan: AreaScan = { scanned: 0, hits: [] };
  if (source.kind === 'dir') {
    for await (const path of filesUnder(source.dir)) {
      scan.scanned += 1;
      const name = path.slice(source.dir.length);
      scan.hits.push(...findNeedles(`blob file ${name} (name)`, name, needles));
      scan.hits.push(...findNeedles(`blob file ${name}`, await readFile(path), needles));
    }
    return scan;
  }
  for await (const object of source.objects()) {
    scan.scanned += 1;
    scan.hits.push(...findNeedles(`object ${object.key} (key)`, object.key, needles));
    scan.hits.push(...findNeedles(`object ${object.key}`, object.body, needles));
  }
  return scan;
}

/** Every line of every log file. */
export async function scanLogs(files: readonly string[], needles: readonly Needle[]): Promise<AreaScan> {
  const scan: AreaScan = { scanned: 0, hits: [] };
  for (const file of files) {
    const text = await readFile(file).catch(() => Buffer.alloc(0));
    scan.scanned += text.length === 0 ? 0 : text.toString('utf8').split('\n').length;
    scan.hits.push(...findNeedles(`log ${file}`, text, needles));
  }
  return scan;
}
