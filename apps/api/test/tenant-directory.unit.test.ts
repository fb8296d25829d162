import { createHash } from 'node:crypto';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@photomaker/observability';
import { describe, expect, it } from 'vitest';
import { TenantDirectory } from '../src/auth/tenant-directory.ts';
import { parseTenantsFile } from '../src/auth/tenants-file.ts';
import { LiveTenantDirectory, type ReloadOutcome } from '../src/auth/tenants-reload.ts';

const KEY_A = 'alice-key-0123456789abcdefghijklmnopqrstuv';
const KEY_B = 'bob-key-0123456789abcdefghijklmnopqrstuvwxyz';
const KEY_ENV = 'envy-key-0123456789abcdefghijklmnopqrstuvw';
const sha = (key: string) => `sha256:${createHash('sha256').update(key).digest('hex')}`;

function file(tenants: Record<string, unknown>): string {
  return JSON.stringify({ tenants });
}

describe('TenantDirectory', () => {
  const baseline = {
    limits: { imagesPerDay: 100, maxRunningJobs: 4 },
    defaults: { priority: 'NORMAL' as const },
  };

  it('gives a file tenant its limits over the env defaults, and an env-key tenant the defaults', () => {
    const directory = TenantDirectory.build({
      keysSpec: `envy:${KEY_ENV}`,
      file: parseTenantsFile(
        't.json',
        file({
          alice: { apiKeys: [sha(KEY_A)], limits: { imagesPerDay: 5 }, defaults: { priority: 'HIGH' } },
        }),
      ),
      baseline,
    });
    expect(directory.identify(KEY_A)).toEqual({
      tenant: 'alice',
      keyId: sha(KEY_A).slice(7, 19),
      limits: { imagesPerDay: 5, maxRunningJobs: 4 },
      defaults: { priority: 'HIGH' },
    });
    expect(directory.identify(KEY_ENV)).toMatchObject({
      tenant: 'envy',
      limits: { imagesPerDay: 100, maxRunningJobs: 4 },
      defaults: { priority: 'NORMAL' },
    });
    expect(directory.identify(KEY_B)).toBeUndefined();
    expect(directory.identify(sha(KEY_A))).toBeUndefined();
    expect(directory.tenants.sort()).toEqual(['alice', 'envy']);
  });

  it('refuses a key held by two tenants, naming both and not the key', () => {
    expect(() =>
      TenantDirectory.build({
        keysSpec: `envy:${KEY_A}`,
        file: parseTenantsFile('t.json', file({ alice: { apiKeys: [sha(KEY_A)] } })),
        baseline,
      }),
    ).toThrow(/held by two tenants \(envy, alice\)/);
    // The same key twice for one tenant (env and file) is one key.
    const same = TenantDirectory.build({
      keysSpec: `alice:${KEY_A}`,
      file: parseTenantsFile('t.json', file({ alice: { apiKeys: [sha(KEY_A)] } })),
      baseline,
    });
    expect(same.size).toBe(1);
  });

  it('marks admins from the file (admin: true) and from PHOTOMAKER_ADMIN_TENANTS; nobody else', () => {
    const directory = TenantDirectory.build({
      keysSpec: `envy:${KEY_ENV}`,
      file: parseTenantsFile(
        'tenants.json',
        file({ alice: { apiKeys: [sha(KEY_A)], admin: true }, bob: { apiKeys: [sha(KEY_B)] } }),
      ),
      baseline,
      adminTenants: ['envy'],
    });
    expect(directory.identify(KEY_A)?.admin).toBe(true);
    expect(directory.identify(KEY_ENV)?.admin).toBe(true);
    expect(directory.identify(KEY_B)?.admin).toBeUndefined();
    expect(() =>
      parseTenantsFile('tenants.json', file({ carol: { apiKeys: [sha(KEY_A)], admin: 'yes' } })),
    ).toThrow('tenants.carol.admin: expected true or false');
  });

  it('refuses a configuration without any key', () => {
    expect(() => TenantDirectory.build({ keysSpec: '', baseline })).toThrow('no API keys configured');
  });
});

describe('LiveTenantDirectory', () => {
  function setup(initial: string) {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    const path = join(dir, 'tenants.json');
    writeFileSync(path, initial);
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const outcomes: ReloadOutcome[] = [];
    const live = new LiveTenantDirectory({
      sources: { keysSpec: '', file: path, baseline: { limits: {}, defaults: {} } },
      logger: createLogger({ service: 'tenants-test', level: 'info', destination }),
      onReload: (outcome) => outcomes.push(outcome),
      debounceMs: 20,
    });
    /** Replaces the file the way editors and config maps do (write elsewhere, rename over). */
    const replace = (text: string) => {
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
    };
    return { live, lines, outcomes, replace };
  }

  it('swaps in a good file, and keeps the previous tenants when the new file is bad', () => {
    const { live, lines, outcomes, replace } = setup(file({ alice: { apiKeys: [sha(KEY_A)] } }));
    replace(file({ alice: { apiKeys: [sha(KEY_A)] }, bob: { apiKeys: [sha(KEY_B)] } }));
    expect(live.reload('signal')).toBe('reloaded');
    expect(live.identify(KEY_B)?.tenant).toBe('bob');

    replace(file({ alice: { apiKeys: [sha(KEY_A)], limits: { imagesPerDay: -1 } } }));
    expect(live.reload('signal')).toBe('rejected');
    expect(live.identify(KEY_A)?.tenant).toBe('alice');
    expect(live.identify(KEY_B)?.tenant).toBe('bob');
    const rejected = lines.filter((line) => line.includes('tenants file rejected'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toContain('tenants.alice.limits.imagesPerDay: expected a whole number >= 0');

    expect(live.reload('change')).toBe('unchanged');
    expect(outcomes).toEqual(['reloaded', 'rejected', 'unchanged']);
  });

  it('reloads by itself when the file is replaced (fs.watch + debounce)', async () => {
    const { live, replace } = setup(file({ alice: { apiKeys: [sha(KEY_A)] } }));
    live.watch();
    try {
      replace(file({ bob: { apiKeys: [sha(KEY_B)] } }));
      await expect.poll(() => live.identify(KEY_B)?.tenant, { timeout: 5_000 }).toBe('bob');
      expect(live.identify(KEY_A)).toBeUndefined();
    } finally {
      live.close();
    }
  });
});
