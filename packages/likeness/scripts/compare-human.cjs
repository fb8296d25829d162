/**
 * The alternative model compared in README.md ("Alternative: @vladmandic/human"): Human 3.3.6's face
 * detector + 1024-d `faceres` descriptor, on the same face crops and edited copies as calibrate.ts.
 * Not a dependency of this package: run it from a scratch directory,
 *   npm install @vladmandic/human@3.3.6 @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 sharp@0.35.5
 *   node compare-human.cjs <face-api demo dir> <dir of crops: ID.jpg and ID__EDIT.jpg>
 * (the crops as calibrate.ts makes them, written to files).
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const sharp = require('sharp');
const H = require('./node_modules/@vladmandic/human/dist/human.node-wasm.js');

const Human = H.Human || H.default;
const root = path.dirname(require.resolve('./node_modules/@vladmandic/human/package.json'));
const [demo, cropsDir] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${line}\n`);

async function main() {
  // The WASM build fetches its models: serve the package's models/ on loopback (nothing from the network).
  const server = http.createServer((req, res) => {
    fs.readFile(path.join(root, 'models', path.basename(req.url)), (err, data) => {
      res.statusCode = err ? 404 : 200;
      res.end(err ? undefined : data);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const human = new Human({
    backend: 'wasm',
    wasmPath: `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`,
    modelBasePath: `http://127.0.0.1:${server.address().port}/`,
    debug: false,
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 20, minConfidence: 0.5 },
      mesh: { enabled: true },
      iris: { enabled: false },
      description: { enabled: true },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  });
  const t0 = performance.now();
  await human.load();
  await human.warmup();
  say(`load ${Math.round(performance.now() - t0)} ms, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  async function detect(file) {
    const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const tensor = human.tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
    const c0 = process.cpuUsage();
    const result = await human.detect(tensor);
    const c = process.cpuUsage(c0);
    human.tf.dispose(tensor);
    return { faces: result.face, cpu: (c.user + c.system) / 1000 };
  }
  for (let i = 1; i <= 6; i++) {
    const r = await detect(`${demo}/sample${i}.jpg`);
    say(`sample${i}: faces ${r.faces.length}, cpu ${Math.round(r.cpu)} ms`);
  }
  const desc = {};
  const cpu = [];
  let lost = 0;
  for (const f of fs.readdirSync(cropsDir).sort()) {
    const r = await detect(path.join(cropsDir, f));
    cpu.push(r.cpu);
    const face = r.faces.sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
    if (face?.embedding?.length) desc[f.replace('.jpg', '')] = face.embedding;
    else lost++;
  }
  const ids = Object.keys(desc).filter((k) => !k.includes('__'));
  const same = [];
  const diff = [];
  for (const k of Object.keys(desc)) {
    const base = k.split('__')[0];
    if (k.includes('__') && desc[base]) same.push(human.match.similarity(desc[base], desc[k]));
  }
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) diff.push(human.match.similarity(desc[ids[i]], desc[ids[j]]));
  }
  const q = (xs, p) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * (xs.length - 1)))].toFixed(3);
  const sum = (xs) => `n=${xs.length} min=${q(xs, 0)} p5=${q(xs, 0.05)} p50=${q(xs, 0.5)} max=${q(xs, 1)}`;
  say(`crops with a face: ${ids.length}; edited copies without one: ${lost}`);
  say(`same-person similarity ${sum(same)}`);
  say(`different-person similarity ${sum(diff)}`);
  say(
    `cpu per crop: p50 ${q(cpu, 0.5)} ms, p99 ${q(cpu, 0.99)} ms; rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
  );
  server.close();
}

main();
