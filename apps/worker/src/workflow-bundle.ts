import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowSource } from './worker.ts';

const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = join(APP_DIR, '..', '..');

export const BUNDLE_PATH = join(APP_DIR, 'dist', 'workflow-bundle.js');
export const BUNDLE_META_PATH = join(APP_DIR, 'dist', 'workflow-bundle.json');

/** Everything workflow code is built from (ours): a change in any of them makes a bundle stale. */
const SOURCE_DIRS = ['apps/worker/src/workflows', 'packages/schema/src', 'packages/temporal/src'];

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      // The codec entry is Node-only and never part of the bundle.
      if (entry !== 'codec') out.push(...files(path));
    } else if (entry.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** sha256 over the workflow sources (paths and contents). */
export function workflowSourceHash(): string {
  const hash = createHash('sha256');
  for (const dir of SOURCE_DIRS) {
    for (const file of files(join(REPO_DIR, dir))) {
      hash.update(relative(REPO_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

export interface BundleChoice {
  source: WorkflowSource;
  /** Why the prebuilt bundle was (not) used, for the startup log. */
  reason: string;
}

/**
 * The prebuilt bundle when it exists and matches the sources (fast start, what production runs);
 * otherwise the sources, bundled at start (slower, never stale). An absolute path names a bundle file.
 */
export function chooseWorkflowSource(mode: string, workflowsPath: string): BundleChoice {
  if (isAbsolute(mode)) {
    if (!existsSync(mode)) throw new Error(`WORKER_WORKFLOW_BUNDLE: ${mode} does not exist`);
    return { source: { workflowBundle: { codePath: mode } }, reason: `bundle ${mode}` };
  }
  if (mode === 'source') return { source: { workflowsPath }, reason: 'WORKER_WORKFLOW_BUNDLE=source' };
  if (!existsSync(BUNDLE_PATH)) {
    if (mode === 'bundle')
      throw new Error(`${BUNDLE_PATH} is missing: run \`turbo run build --filter=@photomaker/worker\``);
    return { source: { workflowsPath }, reason: 'no prebuilt bundle (run the build to start faster)' };
  }
  if (mode === 'auto') {
    let built: string | undefined;
    try {
      built = (JSON.parse(readFileSync(BUNDLE_META_PATH, 'utf8')) as { sourceHash?: string }).sourceHash;
    } catch {
      built = undefined;
    }
    if (built !== workflowSourceHash()) {
      return { source: { workflowsPath }, reason: 'prebuilt bundle is older than the workflow sources' };
    }
  }
  return { source: { workflowBundle: { codePath: BUNDLE_PATH } }, reason: 'prebuilt bundle' };
}
