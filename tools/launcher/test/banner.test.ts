import { spawnSync } from 'node:child_process';
import { photoMakerParamsSchema, STYLE_ENUM } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_MUTATION, exampleCurl, exampleVariables, readyBanner, readyLine } from '../src/banner.ts';
import { parseCliArgs } from '../src/cli-args.ts';
import { loadConfig } from '../src/config.ts';

const config = (env: Record<string, string> = {}, argv: string[] = []) =>
  loadConfig({ rootDir: '/srv/pm', processEnv: env, flags: parseCliArgs(argv) });

const input = (env: Record<string, string> = {}, extra = {}) => ({
  config: config(env),
  apiUrl: 'http://127.0.0.1:4000',
  temporalAddress: '127.0.0.1:7233',
  temporalUiUrl: 'http://127.0.0.1:8233',
  emulatorUrl: 'http://127.0.0.1:8787',
  workerUrl: 'http://127.0.0.1:9464',
  demoKey: 'pm_demo_abc123def456',
  missing: [],
  startupMs: 3100,
  ...extra,
});

describe('the paste-ready example', () => {
  it('is a shell command whose body is the GraphQL request, quoted safely', () => {
    const curl = exampleCurl('http://127.0.0.1:4000', "pm_demo_it's");
    // Run it with a `curl` that prints its last argument: what the shell would hand to the real curl.
    const run = spawnSync('sh', ['-c', `curl() { for a; do last=$a; done; printf %s "$last"; }\n${curl}`], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ query: EXAMPLE_MUTATION, variables: exampleVariables() });
  });

  it('is a valid PhotoMaker request by the shared schema', () => {
    const { input: example } = exampleVariables() as { input: Record<string, unknown> };
    const params = {
      ...example,
      style: STYLE_ENUM[example.style as keyof typeof STYLE_ENUM],
      model: 'civitai:139562@344487',
    };
    expect(photoMakerParamsSchema.safeParse(params).success).toBe(true);
  });
});

describe('the ready block', () => {
  it('lists every URL and the demo key, and ends with the ready: line', () => {
    const banner = readyBanner(input());
    for (const text of [
      'http://127.0.0.1:4000/',
      'http://127.0.0.1:4000/graphql',
      'ws://127.0.0.1:4000/graphql',
      'http://127.0.0.1:4000/v1',
      'http://127.0.0.1:8233/namespaces/default/workflows',
      'http://127.0.0.1:8787/v1',
      'http://127.0.0.1:8787/admin/inspect',
      'http://127.0.0.1:4000/metrics',
      'http://127.0.0.1:9464/metrics',
      'http://127.0.0.1:9464/codec/<WORKER_CODEC_TOKEN>',
      'Bearer PHOTOMAKER_METRICS_TOKEN',
      'pm_demo_abc123def456',
      "-H 'authorization: Bearer pm_demo_abc123def456'",
    ]) {
      expect(banner).toContain(text);
    }
    expect(readyLine(input())).toBe(
      'ready: http://127.0.0.1:4000/ graphql=http://127.0.0.1:4000/graphql temporal-ui=http://127.0.0.1:8233',
    );
  });

  it('never prints a key the user brought', () => {
    const banner = readyBanner(
      input({ PHOTOMAKER_API_KEYS: 'acme:secret-key-123456-0123456789abcdefgh' }, { demoKey: undefined }),
    );
    expect(banner).not.toContain('secret-key-123456');
    expect(banner).toContain('Bearer <your key>');
  });

  it('shows the real Runware instead of the emulator, and warns that the example spends credits', () => {
    const banner = readyBanner(input({ RUNWARE_API_KEY: 'rw-real-key-123' }, { emulatorUrl: undefined }));
    expect(banner).toContain('https://api.runware.ai/v1');
    expect(banner).not.toContain('8787');
    expect(banner).not.toContain('rw-real-key-123');
    expect(banner).toContain('on the real Runware this spends credits');
  });

  it('names what is missing, in the block and in the ready: line', () => {
    const banner = readyBanner(input({}, { missing: ['worker'] }));
    expect(banner).toContain('worker (apps/worker/src/main.ts missing): jobs are accepted but never run');
    expect(readyLine(input({}, { missing: ['worker'] }))).toMatch(/^ready: .* missing=worker$/);
  });
});
