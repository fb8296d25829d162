/**
 * CPU cost of the face checks: model load, one reference check (a ~430 px portrait), one scored output
 * (a 1024 px image with the face pasted in, like the emulator's), as wall and CPU ms p50/p99, and RSS.
 * Run: node scripts/bench.ts [runs=20]
 */
import sharp from 'sharp';
import { checkReference, faceModels, likeness } from '../src/index.ts';
import { sampleFace } from '../src/samples.ts';

const runs = Number(process.argv[2] ?? 20);
const say = (line: string) => process.stdout.write(`${line}\n`);
const mb = () => Math.round(process.memoryUsage().rss / 1e6);

async function timed(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0);
}

async function series(name: string, fn: () => Promise<unknown>): Promise<void> {
  await fn(); // warm-up (first call compiles WASM kernels)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = await timed(fn);
    wall.push(t.wall);
    cpu.push(t.cpu);
  }
  say(
    `${name}: wall p50 ${pct(wall, 0.5)} ms, p99 ${pct(wall, 0.99)} ms; cpu p50 ${pct(cpu, 0.5)} ms, p99 ${pct(cpu, 0.99)} ms (n=${runs})`,
  );
}

say(`rss before models: ${mb()} MB`);
const load = await timed(() => faceModels());
say(`model load: ${Math.round(load.wall)} ms wall; rss ${mb()} MB`);
const portrait = await sampleFace('left');
const ref = (await checkReference(portrait)).embedding ?? [];
const small = await sharp(portrait)
  .resize(Math.round(1024 * 0.6))
  .toBuffer();
const output = await sharp({ create: { width: 1024, height: 1024, channels: 3, background: '#3a6ea5' } })
  .composite([{ input: small, gravity: 'centre' }])
  .jpeg({ quality: 90 })
  .toBuffer();
await series('reference check (430 px portrait)', () => checkReference(portrait));
await series('likeness score (1024 px output)', () => likeness(output, ref));
say(`rss after: ${mb()} MB`);
