import { z } from 'zod';
import {
  type Fault,
  type FaultConfig,
  FaultConfigError,
  type FaultMatch,
  faultConfigSchema,
  parseFaultConfig,
  rateFaultSchema,
  scriptedFaultSchema,
} from './fault-config.ts';
import { createRandom } from './random.ts';
import { resolveFaults, type TaskFaults } from './resolve-faults.ts';

export interface FaultTarget {
  taskType: string;
  transport: 'rest' | 'ws';
  taskUUID?: string | undefined;
  dryRun?: boolean | undefined;
}

const patchSchema = z.strictObject({
  seed: z.int().nullable().optional(),
  retryAfterSeconds: z.number().min(0).optional(),
  slowBodyMs: z.int().min(0).optional(),
  stuckPolls: z.int().min(1).optional(),
  scripted: z.array(scriptedFaultSchema).optional(),
  rates: z.array(rateFaultSchema).optional(),
});

function matches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (!match) return !target.dryRun;
  if (match.taskType !== undefined) {
    const types = Array.isArray(match.taskType) ? match.taskType : [match.taskType];
    if (!types.includes(target.taskType)) return false;
  }
  if ((match.dryRun ?? false) !== (target.dryRun ?? false)) return false;
  if (match.transport !== undefined && match.transport !== target.transport) return false;
  if (match.taskUUID !== undefined && match.taskUUID.toLowerCase() !== target.taskUUID?.toLowerCase())
    return false;
  return true;
}

/**
 * The run-time fault configuration: scripted faults ("the next N matching tasks") consumed in order,
 * then independent probability draws. Counts what it injected so tests and chaos runs can see it.
 */
export class FaultInjector {
  private config: FaultConfig;
  private readonly startup: FaultConfig;
  private random: () => number;
  readonly injected: Record<string, number> = {};

  constructor(config: FaultConfig = faultConfigSchema.parse({})) {
    this.startup = structuredClone(config);
    this.config = structuredClone(config);
    this.random = this.makeRandom();
  }

  private makeRandom(): () => number {
    return this.config.seed === undefined ? Math.random : createRandom(this.config.seed);
  }

  /** The current config; `scripted[].count` is what is left of each entry. */
  get(): FaultConfig {
    return structuredClone(this.config);
  }

  replace(input: unknown): FaultConfig {
    this.config = parseFaultConfig(input);
    this.random = this.makeRandom();
    return this.get();
  }

  /** Scalars replace, `scripted` entries are appended to the queue, `rates` replaces the list. */
  patch(input: unknown): FaultConfig {
    const result = patchSchema.safeParse(input ?? {});
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new FaultConfigError(`invalid fault patch: ${issues.join('; ')}`);
    }
    const patch = result.data;
    const next: FaultConfig = { ...this.config };
    if (patch.seed === null) delete next.seed;
    else if (patch.seed !== undefined) next.seed = patch.seed;
    if (patch.retryAfterSeconds !== undefined) next.retryAfterSeconds = patch.retryAfterSeconds;
    if (patch.slowBodyMs !== undefined) next.slowBodyMs = patch.slowBodyMs;
    if (patch.stuckPolls !== undefined) next.stuckPolls = patch.stuckPolls;
    if (patch.scripted) next.scripted = [...this.config.scripted, ...patch.scripted];
    if (patch.rates) next.rates = patch.rates;
    this.config = next;
    if (patch.seed !== undefined) this.random = this.makeRandom();
    return this.get();
  }

  /** No faults at all (DELETE /admin/faults). */
  clear(): FaultConfig {
    return this.replace({});
  }

  /** Back to what the process was started with (POST /admin/reset). */
  reset(): void {
    this.config = structuredClone(this.startup);
    this.random = this.makeRandom();
    for (const key of Object.keys(this.injected)) delete this.injected[key];
  }

  get retryAfterSeconds(): number {
    return this.config.retryAfterSeconds;
  }

  /** Draws the faults for one task: at most one scripted entry (consumed), plus every rate that fires. */
  draw(target: FaultTarget): TaskFaults {
    const faults: Fault[] = [];
    const index = this.config.scripted.findIndex((entry) => entry.count > 0 && matches(entry.match, target));
    const entry = index >= 0 ? this.config.scripted[index] : undefined;
    if (entry) {
      faults.push(entry.fault);
      entry.count -= 1;
      if (entry.count === 0) this.config.scripted.splice(index, 1);
    }
    for (const rate of this.config.rates) {
      if (rate.probability > 0 && matches(rate.match, target) && this.random() < rate.probability) {
        faults.push(rate.fault);
      }
    }
    for (const fault of faults) this.injected[fault.kind] = (this.injected[fault.kind] ?? 0) + 1;
    return resolveFaults(faults, this.config);
  }
}
