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

type Row = [label: string, value: string];

const has = (input: BannerInput, name: AppName) => !input.missing.includes(name);
const notStarted = (name: AppName) => dim(`not started: ${APPS[name].entry} does not exist yet`);

/** Where to point a browser or client: the web app, GraphQL, the /v1 gateway, the Temporal UI. */
function entryRows(input: BannerInput): Row[] {
  const { apiUrl } = input;
  const wsUrl = apiUrl.replace(/^http/, 'ws');
  const api = has(input, 'api');
  const rows: Row[] = [
    ['Web app', api && has(input, 'web') ? cyan(`${apiUrl}/`) : notStarted(api ? 'web' : 'api')],
    [
      'GraphQL',
      api ? `${cyan(`${apiUrl}/graphql`)}  ${dim(`(WebSocket ${wsUrl}/graphql)`)}` : notStarted('api'),
    ],
  ];
  if (api) rows.push(['Runware REST', `${apiUrl}/v1  ${dim('(Runware-compatible gateway, same keys)')}`]);
  rows.push([
    'Temporal UI',
    input.temporalUiUrl
      ? cyan(`${input.temporalUiUrl}/namespaces/${input.config.namespace}/workflows`)
      : dim(`external Temporal at ${input.temporalAddress} (its own UI)`),
  ]);
  return rows;
}

/** The Runware the worker talks to: the emulator (with its admin view) or the real one. */
function runwareRow(input: BannerInput): Row {
  const { runware } = input.config;
  if (runware.mode !== 'emulator') {
    return ['Runware', `${runware.baseUrl}  ${dim('(the real Runware, your RUNWARE_API_KEY)')}`];
  }
  return [
    'Emulator',
    input.emulatorUrl
      ? `${input.emulatorUrl}/v1  ${dim(`(admin: ${input.emulatorUrl}/admin/inspect)`)}`
      : notStarted('emulator'),
  ];
}

/** Metrics and the payload codec of the processes that run. */
function operatorRows(input: BannerInput): Row[] {
  const metrics = [
    ...(has(input, 'api') ? [`${input.apiUrl}/metrics ${dim('(API)')}`] : []),
    ...(has(input, 'worker') ? [`${input.workerUrl}/metrics ${dim('(worker)')}`] : []),
  ];
  const tokens = 'in <data dir>/secrets.json unless you set it';
  const rows: Row[] =
    metrics.length > 0
      ? [['Metrics', `${metrics.join(', ')}  ${dim(`(Bearer PHOTOMAKER_METRICS_TOKEN, ${tokens})`)}`]]
      : [];
  if (has(input, 'worker')) {
    rows.push([
      'Payload codec',
      `${input.workerUrl}/codec/<WORKER_CODEC_TOKEN>  ${dim(`(the Temporal UI's codec endpoint; token ${tokens})`)}`,
    ]);
  }
  return rows;
}

/** The key to use, and where data and logs go (relative to the checkout when inside it). */
function accountRows(input: BannerInput): Row[] {
  const { config } = input;
  const inside = !relative(config.rootDir, config.dataDir).startsWith('..');
  const shown = inside ? relative(config.rootDir, config.dataDir) || '.' : config.dataDir;
  return [
    [
      'API key',
      input.demoKey
        ? `${bold(input.demoKey)}  ${dim('(tenant "demo"; set PHOTOMAKER_API_KEYS to use your own)')}`
        : dim('yours, from PHOTOMAKER_API_KEYS'),
    ],
    ['Data, logs', `${shown}  ${dim(`(logs: ${shown}/logs/<service>.log)`)}`],
  ];
}

function missingLines(input: BannerInput): string[] {
  if (input.missing.length === 0) return [];
  return [
    '',
    styleText('yellow', 'Not started yet:', { stream: process.stdout }),
    ...input.missing.map(
      (name) => `  ${APPS[name].label} (${APPS[name].entry} missing): ${APPS[name].without}`,
    ),
  ];
}

function tryItLines(input: BannerInput): string[] {
  if (!has(input, 'api')) return [];
  const spends = input.config.runware.mode === 'real' ? '; on the real Runware this spends credits' : '';
  return [
    '',
    `Try it ${dim(`(2 images from a tiny inline reference image; then watch the job in the web app${spends})`)}:`,
    '',
    exampleCurl(input.apiUrl, input.demoKey ?? '<your key>'),
  ];
}

/** The one block printed when everything is healthy: every URL, the key, a paste-ready example. */
export function readyBanner(input: BannerInput): string {
  const rows = [...entryRows(input), runwareRow(input), ...operatorRows(input), ...accountRows(input)];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    '',
    bold(`PhotoMaker is up (${(input.startupMs / 1000).toFixed(1)} s)`),
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    ...missingLines(input),
    ...tryItLines(input),
    '',
    dim('Ctrl-C stops everything; the next start reuses the data and is ready in seconds.'),
    '',
  ].join('\n');
}

/** The line scripts wait for. Always the last line of the banner, always starting with `ready:`. */
export function readyLine(input: BannerInput): string {
  const parts = [`ready: ${input.apiUrl}/`, `graphql=${input.apiUrl}/graphql`];
  if (input.temporalUiUrl) parts.push(`temporal-ui=${input.temporalUiUrl}`);
  if (input.missing.length > 0) parts.push(`missing=${input.missing.join(',')}`);
  return parts.join(' ');
}
