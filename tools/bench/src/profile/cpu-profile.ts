import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

interface ProfileEntry {
  name: string;
  ms: number;
  /** Share of the sampled CPU time (idle excluded). */
  share: number;
}

export interface CpuProfileSummary {
  file: string;
  /** Sampled non-idle time, ms. */
  busyMs: number;
  byPackage: ProfileEntry[];
  topFunctions: ProfileEntry[];
  /** Time spent inside (inclusive) frames worth naming: module initialization, workflow activations. */
  inclusive: ProfileEntry[];
}

/**
 * Frames whose inclusive time answers a question: `__webpack_require__` = evaluating workflow-bundle
 * modules (Temporal's reusable V8 context gives every workflow run its own module cache, so module-level
 * code, e.g. building zod schemas, runs once per job and again per replay).
 */
const INCLUSIVE_FRAMES = ['__webpack_require__', 'runInContext', 'activate', 'concludeActivation'];

/** `.pnpm/@temporalio+worker@1.24.0/...` -> `@temporalio/worker`; our sources -> `apps/api`, `packages/events`. */
export function packageOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (program), (idle)
    return '(native)';
  }
  const pnpm = /node_modules\/\.pnpm\/([^/]+)\//.exec(url);
  if (pnpm?.[1]) {
    const spec = pnpm[1].replace(/\+/, '/');
    return spec.slice(0, spec.lastIndexOf('@') > 0 ? spec.lastIndexOf('@') : undefined);
  }
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (module?.[1]) return module[1];
  const ours = /\/(apps|packages|tooling|tools)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node (core)';
  return '(other)';
}

/** Sampled self time per node id, µs. */
function selfTimes(profile: CpuProfile): Map<number, number> {
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return selfUs;
}

/** The call tree: each node's frame and its parent. */
class CallTree {
  private readonly nodes: Map<number, CpuProfileNode>;
  private readonly parent = new Map<number, number>();

  constructor(nodes: CpuProfileNode[]) {
    this.nodes = new Map(nodes.map((node) => [node.id, node]));
    for (const node of nodes) for (const child of node.children ?? []) this.parent.set(child, node.id);
  }

  frame(id: number): CpuProfileNode['callFrame'] | undefined {
    return this.nodes.get(id)?.callFrame;
  }

  /** The INCLUSIVE_FRAMES on the stack of a node, itself included. */
  inclusiveFrames(id: number): Set<string> {
    const frames = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = this.parent.get(at)) {
      const name = this.frame(at)?.functionName;
      if (name && INCLUSIVE_FRAMES.includes(name)) frames.add(name);
    }
    return frames;
  }
}

const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);

/** `name file:line`, the file shortened to what follows the pnpm store or the checkout. */
function functionKey({ functionName, url, lineNumber }: CpuProfileNode['callFrame']): string {
  const where = url ? `${url.replace(/^.*\/(node_modules\/\.pnpm\/|main\/)/, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

/** The `top` largest entries of a tally, in ms and as a share of the busy time. */
function topEntries(map: Map<string, number>, top: number, busyUs: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({
      name,
      ms: Math.round(us / 100) / 10,
      share: Math.round((us / Math.max(1, busyUs)) * 1000) / 10,
    }));
}

/** Self time per package and per function of one V8 `.cpuprofile` (what `node --cpu-prof` writes). */
export function summarizeCpuProfile(file: string, top = 15): CpuProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const tree = new CallTree(profile.nodes);
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfTimes(profile)) {
    const frame = tree.frame(id);
    // Idle time is no one's: it counts neither as busy nor inside any frame.
    if (frame?.functionName === '(idle)') continue;
    for (const name of tree.inclusiveFrames(id)) add(inclusive, name, us);
    if (!frame) continue;
    busy += us;
    add(packages, packageOf(frame.url, frame.functionName), us);
    add(functions, functionKey(frame), us);
  }
  return {
    file,
    busyMs: Math.round(busy / 1000),
    byPackage: topEntries(packages, top, busy),
    topFunctions: topEntries(functions, top, busy),
    inclusive: topEntries(inclusive, top, busy),
  };
}

/** Every `.cpuprofile` in a directory (one per process that exited normally). */
export function cpuProfilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}
