/**
 * Prints how fast the emulator renders and serves: per-style render time at 1024x1024, a 2048x2048
 * render, sync REST throughput for small images, and getResponse / WS ping round trips.
 * Run: node apps/runware-emulator/bench/emulator-bench.ts
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '@photomaker/observability';
import { PHOTOMAKER_STYLES } from '@photomaker/schema';
import sharp from 'sharp';
import WebSocket from 'ws';
import { createEmulator } from '../src/emulator.ts';
import { ReferenceCache } from '../src/generation/reference-cache.ts';
import { Renderer } from '../src/generation/renderer.ts';

const out = (line: string) => process.stdout.write(`${line}\n`);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

const face = await sharp({
  create: { width: 768, height: 1024, channels: 3, background: '#c08060' },
})
  .composite([
    {
      input: Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="768" height="1024"><ellipse cx="384" cy="450" rx="230" ry="300" fill="#f1c27d"/></svg>',
      ),
    },
  ])
  .jpeg()
  .toBuffer();
const references = [{ hash: 'bench-face', bytes: face }];
const renderer = new Renderer(new ReferenceCache());
const base = {
  references,
  strength: 30,
  seed: '42',
  positivePrompt: 'rwre, portrait',
  outputQuality: 95,
  flagged: false,
} as const;

await renderer.render({ ...base, width: 256, height: 256, style: 'No style', outputFormat: 'JPG' });
out('render 1024x1024 JPG per style (ms):');
for (const style of PHOTOMAKER_STYLES) {
  const start = process.hrtime.bigint();
  await renderer.render({ ...base, width: 1024, height: 1024, style, outputFormat: 'JPG' });
  out(`  ${style.padEnd(17)} ${ms(start).toFixed(0)}`);
}
for (const format of ['JPG', 'PNG', 'WEBP'] as const) {
  const start = process.hrtime.bigint();
  const { bytes } = await renderer.render({
    ...base,
    width: 2048,
    height: 2048,
    style: 'Cinematic',
    outputFormat: format,
  });
  out(`render 2048x2048 ${format}: ${ms(start).toFixed(0)} ms, ${(bytes.length / 1024).toFixed(0)} KiB`);
}

const emulator = await createEmulator({
  port: 0,
  latency: 'none',
  logger: createLogger({ service: 'bench', level: 'silent' }),
});
const headers = { authorization: 'Bearer rw-emulator-dev-key', 'content-type': 'application/json' };
const dataUri = `data:image/jpeg;base64,${face.toString('base64')}`;
const post = (tasks: unknown) =>
  fetch(emulator.restUrl, { method: 'POST', headers, body: JSON.stringify(tasks) });
const upload = (await (
  await post([{ taskType: 'imageUpload', taskUUID: randomUUID(), image: dataUri }])
).json()) as {
  data: { imageUUID: string }[];
};
const imageUUID = upload.data[0]?.imageUUID;
const task = () => ({
  taskType: 'photoMaker',
  taskUUID: randomUUID(),
  model: 'civitai:139562@344487',
  inputImages: [imageUUID],
  positivePrompt: 'rwre, portrait',
  width: 512,
  height: 512,
  numberResults: 4,
});
const requests = 12;
let start = process.hrtime.bigint();
await Promise.all(Array.from({ length: requests }, () => post([task()]).then((r) => r.json())));
const seconds = ms(start) / 1000;
out(
  `sync REST, ${requests} requests x 4 images 512x512, 4 at a time: ${((requests * 4) / seconds).toFixed(1)} images/s`,
);

const accepted = task();
await post([{ ...accepted, deliveryMethod: 'async' }]);
start = process.hrtime.bigint();
for (let i = 0; i < 200; i++)
  await (await post([{ taskType: 'getResponse', taskUUID: accepted.taskUUID }])).arrayBuffer();
out(`getResponse round trip: ${(ms(start) / 200).toFixed(2)} ms`);

const socket = new WebSocket(emulator.wsUrl);
await new Promise((resolve) => socket.once('open', resolve));
socket.send(JSON.stringify([{ taskType: 'authentication', apiKey: 'rw-emulator-dev-key' }]));
await new Promise((resolve) => socket.once('message', resolve));
start = process.hrtime.bigint();
for (let i = 0; i < 500; i++) {
  socket.send(JSON.stringify([{ taskType: 'ping', ping: true }]));
  await new Promise((resolve) => socket.once('message', resolve));
}
out(`WebSocket ping/pong round trip: ${(ms(start) / 500).toFixed(3)} ms`);
socket.close();
out(`rss after run: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
await emulator.close();
