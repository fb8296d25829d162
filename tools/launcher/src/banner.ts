import { relative } from 'node:path';
import { styleText } from 'node:util';
import type { StackConfig } from './config.ts';
import { EXAMPLE_REFERENCE_IMAGE } from './example-image.ts';
import { APPS, type AppName } from './pieces.ts';

export interface BannerInput {
  config: StackConfig;
  apiUrl: string;
  temporalAddress: string;
  temporalUiUrl?: string;
  emulatorUrl?: string;
  workerUrl: string;
  /** The key the example uses: the demo key, or undefined when the user brought their own keys. */
  demoKey?: string;
  missing: AppName[];
  startupMs: number;
}

/** The GraphQL operation of the ready-to-paste example (the public contract of apps/api). */
export const EXAMPLE_MUTATION =
  'mutation Generate($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { id status stage } }';

export function exampleVariables(): Record<string, unknown> {
  return {
    input: {
      positivePrompt: 'portrait photo of a woman rwre, golden hour, 85mm',
      inputImages: [EXAMPLE_REFERENCE_IMAGE],
      style: 'CINEMATIC',
      strength: 20,
      width: 768,
      height: 1024,
      numberResults: 2,
    },
  };
}

/** POSIX single quoting: safe for any text. */
const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/** A curl command a newcomer can paste as is. */
export function exampleCurl(apiUrl: string, key: string): string {
  const body = JSON.stringify({ query: EXAMPLE_MUTATION, variables: exampleVariables() });
  return [
    `curl -s ${apiUrl}/graphql \\`,
    `  -H ${shellQuote(`authorization: Bearer ${key}`)} -H 'content-type: application/json' \\`,
    `  --data-raw ${shellQuote(body)}`,
  ].join('\n');
}

const bold = (text: string) => styleText('bold', text, { stream: process.stdout });
const dim = (text: string) => styleText('dim', text, { stream: process.stdout });
const cyan = (text: string) => styleText('cyan', text, { stream: process.stdout });

/** The one block printed when everything is healthy: every URL, the key, a paste-ready example. */
export function readyBanner(input: BannerInput): string {
  const { config, apiUrl } = input;
  const wsUrl = apiUrl.replace(/^http/, 'ws');
  const rows: [string, string][] = [];
  const missing = (name: AppName) => dim(`not started: ${APPS[name].entry} does not exist yet`);
  const has = (name: AppName) => !input.missing.includes(name);
  rows.push(['Web app', has('api') && has('web') ? cyan(`${apiUrl}/`) : missing(has('api') ? 'web' : 'api')]);
  rows.push([
    'GraphQL',
    has('api') ? `${cyan(`${apiUrl}/graphql`)}  ${dim(`(WebSocket ${wsUrl}/graphql)`)}` : missing('api'),
  ]);
  if (has('api'))
    rows.push(['Runware REST', `${apiUrl}/v1  ${dim('(Runware-compatible gateway, same keys)')}`]);
  rows.push([
    'Temporal UI',
    input.temporalUiUrl
      ? cyan(`${input.temporalUiUrl}/namespaces/${config.namespace}/workflows`)
      : dim(`external Temporal at ${input.temporalAddress} (its own UI)`),
  ]);
  if (config.runware.mode === 'emulator') {
    rows.push([
      'Emulator',
      input.emulatorUrl
        ? `${input.emulatorUrl}/v1  ${dim(`(admin: ${input.emulatorUrl}/admin/inspect)`)}`
        : missing('emulator'),
    ]);
  } else {
    rows.push(['Runware', `${config.runware.baseUrl}  ${dim('(the real Runware, your RUNWARE_API_KEY)')}`]);
  }
  const metrics = [
    ...(has('api') ? [`${apiUrl}/metrics ${dim('(API)')}`] : []),
    ...(has('worker') ? [`${input.workerUrl}/metrics ${dim('(worker)')}`] : []),
  ];
  if (metrics.length > 0) rows.push(['Metrics', metrics.join(', ')]);
  if (has('worker')) {
    rows.push([
      'Payload codec',
      `${input.workerUrl}/codec  ${dim('(the Temporal UI decodes payloads with it)')}`,
    ]);
  }
  rows.push([
    'API key',
    input.demoKey
      ? `${bold(input.demoKey)}  ${dim('(tenant "demo"; set PHOTOMAKER_API_KEYS to use your own)')}`
      : dim('yours, from PHOTOMAKER_API_KEYS'),
  ]);
  const inside = !relative(config.rootDir, config.dataDir).startsWith('..');
  const shown = inside ? relative(config.rootDir, config.dataDir) || '.' : config.dataDir;
  rows.push(['Data, logs', `${shown}  ${dim(`(logs: ${shown}/logs/<service>.log)`)}`]);

  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    '',
    bold(`PhotoMaker is up (${(input.startupMs / 1000).toFixed(1)} s)`),
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ];
  if (input.missing.length > 0) {
    lines.push('', styleText('yellow', 'Not started yet:', { stream: process.stdout }));
    for (const name of input.missing)
      lines.push(`  ${APPS[name].label} (${APPS[name].entry} missing): ${APPS[name].without}`);
  }
  if (has('api')) {
    lines.push(
      '',
      `Try it ${dim(
        `(2 images from a tiny inline reference image; then watch the job in the web app${
          config.runware.mode === 'real' ? '; on the real Runware this spends credits' : ''
        })`,
      )}:`,
      '',
      exampleCurl(apiUrl, input.demoKey ?? '<your key>'),
    );
  }
  lines.push('', dim('Ctrl-C stops everything; the next start reuses the data and is ready in seconds.'), '');
  return lines.join('\n');
}

/** The line scripts wait for. Always the last line of the banner, always starting with `ready:`. */
export function readyLine(input: BannerInput): string {
  const parts = [`ready: ${input.apiUrl}/`, `graphql=${input.apiUrl}/graphql`];
  if (input.temporalUiUrl) parts.push(`temporal-ui=${input.temporalUiUrl}`);
  if (input.missing.length > 0) parts.push(`missing=${input.missing.join(',')}`);
  return parts.join(' ');
}
