import { type Dirent, lstatSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every file under `dir`, as paths relative to it; `skip` prunes directories by name. */
export function filesUnder(dir: string, skip: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return; // removed while we walked (a process cleaning up after itself)
    }
    for (const entry of entries) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (!skip.has(entry.name)) walk(path);
      } else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out;
}

/** Where the files of a run's temp tree were written, by who may write there. */
export interface RunTreeScan {
  /** Files outside `replicas/<name>/` and `services/`: written by nobody who may. */
  strays: string[];
  /** Files each replica wrote in its own directories. */
  perReplica: Record<string, number>;
  /** Blob files on a replica's disk (with S3 as the blob store there should be none). */
  replicaBlobs: string[];
  /** Objects versitygw keeps for the bucket (the blobs, on S3). */
  s3Objects: number;
}

type Owner = 'replica' | 's3' | 'service' | 'stray';

/** Who may have written `file` (relative to the run's root). */
function ownerOf(file: string): Owner {
  const [top, owner, area] = file.split(sep);
  if (top === 'replicas') return owner && area ? 'replica' : 'stray';
  if (top !== 'services') return 'stray';
  return owner === 's3' ? 's3' : 'service';
}

/** Sorts every file under the run's root by owner (`replicas/<name>/...`, `services/...`, or stray). */
export function scanRunTree(root: string): RunTreeScan {
  const scan: RunTreeScan = { strays: [], perReplica: {}, replicaBlobs: [], s3Objects: 0 };
  for (const file of filesUnder(root)) {
    const parts = file.split(sep);
    const owner = ownerOf(file);
    if (owner === 'stray') scan.strays.push(file);
    else if (owner === 'replica') {
      const name = parts[1] ?? '';
      scan.perReplica[name] = (scan.perReplica[name] ?? 0) + 1;
      if (parts.includes('blobs')) scan.replicaBlobs.push(file);
    }
    // versitygw's metadata lives in dot-folders beside the objects.
    else if (owner === 's3' && !parts.some((part) => part.startsWith('.'))) scan.s3Objects += 1;
  }
  return scan;
}

/**
 * Not part of the share-nothing check: what git, the package manager and turbo write, and what other
 * tasks running beside the cluster test in CI write (build outputs, tsc caches, tool results, browser test
 * artifacts: the ignored folders of .gitignore except `.data`). Apps never write there:
 * a worker whose workflow bundle is stale bundles in memory.
 */
const NOT_SCANNED = new Set([
  '.git',
  'node_modules',
  '.turbo',
  '.cache',
  'dist',
  'results',
  'coverage',
  'test-artifacts',
]);

/** Files of the repository (the processes' code, outside every replica) modified since `sinceMs`. */
export function repoFilesChangedSince(repo: string, sinceMs: number): string[] {
  return filesUnder(repo, NOT_SCANNED).filter((file) => {
    try {
      return lstatSync(join(repo, file)).mtimeMs > sinceMs;
    } catch {
      return false;
    }
  });
}
