import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '@photomaker/observability';
import type { Principal } from './api-keys.ts';
import type { TenantDirectory } from './tenant-directory.ts';
import { loadTenantDirectory, type TenantSources } from './tenants-config.ts';

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'rejected';

/**
 * The tenant directory the admission gate asks, reloaded without a restart: on a change of the tenants file
 * (debounced, since editors write in several steps) and on `reload()` (main.ts calls it on SIGHUP). A good
 * file swaps the whole directory at once; a bad one keeps the previous directory and logs one error naming
 * the problem (the keys and limits in force do not change under a typo).
 */
export class LiveTenantDirectory {
  private directory: TenantDirectory;
  /** Digest of the file as last loaded or rejected. */
  private fingerprint: string | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly sources: TenantSources;
  private readonly logger: Logger;
  private readonly onReload: (outcome: ReloadOutcome) => void;
  private readonly debounceMs: number;

  constructor(options: {
    sources: TenantSources;
    logger: Logger;
    /** Counts reloads by outcome (metrics). */
    onReload?: (outcome: ReloadOutcome) => void;
    debounceMs?: number;
  }) {
    this.sources = options.sources;
    this.logger = options.logger;
    this.onReload = options.onReload ?? (() => {});
    this.debounceMs = options.debounceMs ?? 250;
    this.fingerprint = this.readFingerprint();
    // At start a bad configuration is fatal (config.ts checked it already); only reloads keep the old one.
    this.directory = loadTenantDirectory(this.sources);
  }

  get current(): TenantDirectory {
    return this.directory;
  }

  identify(key: string | undefined | null): Principal | undefined {
    return this.directory.identify(key);
  }

  /**
   * Rebuilds the directory from its sources. `force` (SIGHUP) reloads even when the file's bytes are the
   * same, so an operator's explicit reload always logs what is in force.
   */
  reload(trigger: 'change' | 'signal'): ReloadOutcome {
    const fingerprint = this.readFingerprint();
    if (trigger === 'change' && fingerprint === this.fingerprint) return this.count('unchanged');
    // Remembered whatever the outcome: the several events one save fires log a bad file once, not each.
    this.fingerprint = fingerprint;
    try {
      const next = loadTenantDirectory(this.sources);
      this.directory = next;
      this.logger.info(
        { trigger, file: this.sources.file, tenants: next.tenants.length, keys: next.size },
        'tenants reloaded',
      );
      return this.count('reloaded');
    } catch (error) {
      this.logger.error(
        { trigger, file: this.sources.file, reason: error instanceof Error ? error.message : String(error) },
        'tenants file rejected; keeping the previous tenants',
      );
      return this.count('rejected');
    }
  }

  /**
   * Watches the file's directory, not the file: editors and Kubernetes config maps replace the file
   * (rename), which ends a watch on the file itself.
   */
  watch(): void {
    const file = this.sources.file;
    if (!file || this.watcher) return;
    const name = basename(file);
    this.watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name && !changed.startsWith('..')) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.reload('change'), this.debounceMs);
    });
    this.watcher.on('error', (error) =>
      this.logger.warn({ reason: error.message }, 'tenants file watch failed'),
    );
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private count(outcome: ReloadOutcome): ReloadOutcome {
    this.onReload(outcome);
    return outcome;
  }

  /** A digest of the file's bytes (a change event without a change, e.g. a touch, reloads nothing). */
  private readFingerprint(): string | undefined {
    if (!this.sources.file) return undefined;
    try {
      return createHash('sha256').update(readFileSync(this.sources.file)).digest('hex');
    } catch {
      return undefined;
    }
  }
}
