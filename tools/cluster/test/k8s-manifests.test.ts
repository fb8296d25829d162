import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHUTDOWN_BOUND_MS } from '@photomaker/api';
import { apiEnv } from '@photomaker/api/env';
import { parseEnv } from '@photomaker/env';
import { APP_ENTRIES, type AppName, repoRoot } from '@photomaker/harness';
import { emulatorEnv } from '@photomaker/runware-emulator/env';
import { workerEnv } from '@photomaker/worker/env';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';

// deploy/k8s must start each app with the command the harness and the launcher use, and give it only
// variables its env schema knows (plus the AWS SDK's own), with values the schema accepts; the drain
// times must fit in the grace Kubernetes gives. docs/deploy.md names the same commands.

const DIR = join(repoRoot, 'deploy', 'k8s');
const SCHEMAS: Record<AppName, z.ZodObject> = { api: apiEnv, worker: workerEnv, emulator: emulatorEnv };

/** Read by the AWS SDK itself (the S3 blob store's client), not by our schemas. */
const AWS_SDK_VARIABLES = new Set([
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL_S3',
  'AWS_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
]);

interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    template?: { spec: { containers: Container[]; terminationGracePeriodSeconds?: number } };
    ports?: { targetPort: string }[];
    selector?: Record<string, string>;
  };
}

function load(): Manifest[] {
  return readdirSync(DIR)
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((doc) => {
        expect(doc.errors, file).toEqual([]);
        return doc.toJS() as Manifest;
      }),
    );
}

const manifests = load();
const deployments = manifests.filter((m) => m.kind === 'Deployment');
/** Every container of every Deployment, with its Deployment's name. */
const containers = deployments.flatMap((d) =>
  (d.spec?.template?.spec.containers ?? []).map((c) => ({ deployment: d.metadata.name, c })),
);
const sources = new Map(
  manifests
    .filter((m) => m.kind === 'ConfigMap' || m.kind === 'Secret')
    .map((m) => [`${m.kind}/${m.metadata.name}`, { ...m.data, ...m.stringData }]),
);

function appOf(container: Container): AppName {
  const entry = container.command?.[1];
  const app = (Object.keys(APP_ENTRIES) as AppName[]).find((name) => APP_ENTRIES[name] === entry);
  if (!app)
    throw new Error(
      `${container.name}: command ${JSON.stringify(container.command)} starts none of our apps`,
    );
  return app;
}

/** The container's environment as Kubernetes builds it: envFrom sources first, then `env` over them. */
function environment(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ? `ConfigMap/${from.configMapRef.name}` : `Secret/${from.secretRef?.name}`;
    const values = sources.get(ref);
    if (!values) throw new Error(`${container.name}: envFrom ${ref} is not in deploy/k8s`);
    Object.assign(env, values);
  }
  for (const { name, value } of container.env ?? []) env[name] = value ?? '';
  return env;
}

const seconds = (duration: string) => {
  const match = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`not a duration: ${duration}`);
  return Number(match[1]) / ({ ms: 1000, s: 1, m: 1 / 60 } as const)[match[2] as 'ms' | 's' | 'm'];
};

describe('deploy/k8s', () => {
  it('has a Deployment for the API, the worker and the emulator, each a container running `node <entry>`', () => {
    const apps = containers.map(({ c }) => appOf(c));
    expect(apps.sort()).toEqual(['api', 'emulator', 'worker']);
    for (const { c } of containers) {
      expect(c.command).toEqual(['node', APP_ENTRIES[appOf(c)]]);
      expect(existsSync(join(repoRoot, APP_ENTRIES[appOf(c)]))).toBe(true);
    }
  });

  it("gives each app only variables of its env schema (or the AWS SDK's), with values the schema accepts", () => {
    for (const { deployment, c } of containers) {
      const app = appOf(c);
      const schema = SCHEMAS[app];
      const env = environment(c);
      const unknown = Object.keys(env).filter(
        (name) => !(name in schema.shape) && !(app !== 'emulator' && AWS_SDK_VARIABLES.has(name)),
      );
      expect(unknown, `${deployment}: variables ${app}'s env schema does not know`).toEqual([]);
      const parsed = parseEnv(schema, env);
      expect(parsed.ok ? [] : parsed.problems, `${deployment}: values its schema refuses`).toEqual([]);
    }
  });

  it('gives the processes more grace than their drain takes', () => {
    for (const d of deployments) {
      const spec = d.spec?.template?.spec;
      const container = spec?.containers[0];
      if (!spec || !container) throw new Error(`${d.metadata.name}: no container`);
      const grace = spec.terminationGracePeriodSeconds ?? 30;
      const app = appOf(container);
      if (app === 'api') {
        const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
        expect(preStop, 'the API waits for the Service to stop routing to it').toBeGreaterThan(0);
        expect(grace).toBeGreaterThanOrEqual(preStop + SHUTDOWN_BOUND_MS / 1000 + 5);
      }
      if (app === 'worker') {
        const drain = seconds(environment(container).WORKER_SHUTDOWN_GRACE ?? '30s');
        expect(grace).toBeGreaterThanOrEqual(drain + 10);
      }
    }
  });

  it('probes and Services use the ports the apps listen on', () => {
    const portVariable: Record<AppName, string> = {
      api: 'PORT',
      worker: 'WORKER_HTTP_PORT',
      emulator: 'RUNWARE_EMULATOR_PORT',
    };
    for (const { c } of containers) {
      const http = c.ports?.find((p) => p.name === 'http');
      expect(String(http?.containerPort)).toBe(environment(c)[portVariable[appOf(c)]]);
      if (c.readinessProbe?.httpGet) expect(c.readinessProbe.httpGet.port).toBe('http');
    }
    for (const service of manifests.filter((m) => m.kind === 'Service'))
      for (const port of service.spec?.ports ?? []) expect(port.targetPort).toBe('http');
  });

  it('lists its files in kustomization.yaml, and docs/deploy.md names the same commands', () => {
    const kustomization = parseAllDocuments(
      readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'),
    )[0]?.toJS() as {
      resources: string[];
    };
    for (const file of kustomization.resources) expect(existsSync(join(DIR, file)), file).toBe(true);
    const docs = readFileSync(join(repoRoot, 'docs', 'deploy.md'), 'utf8');
    for (const entry of Object.values(APP_ENTRIES)) expect(docs).toContain(`node ${entry}`);
  });
});
