import { createRequire } from 'node:module';
import path from 'node:path';

// face-api's node-wasm build is CommonJS and requires tfjs itself; load all three through one require so
// they share a single tfjs instance (two copies would each have their own backend registry).
const require = createRequire(import.meta.url);

type FaceApi = typeof import('@vladmandic/face-api');
type Tf = typeof import('@tensorflow/tfjs');

export interface FaceModels {
  readonly faceapi: FaceApi;
  readonly tf: Tf;
}

let loading: Promise<FaceModels> | undefined;

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

async function load(): Promise<FaceModels> {
  const tf = require('@tensorflow/tfjs') as Tf;
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  // A filesystem path, not a URL: the .wasm binaries ship in the package, nothing is fetched at run time.
  wasm.setWasmPaths(`${packageDir('@tensorflow/tfjs-backend-wasm')}/dist/`);
  await tf.setBackend('wasm');
  await tf.ready();
  const modelDir = `${packageDir('@vladmandic/face-api')}/model`;
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  return { faceapi, tf };
}

/** Loads the detector, landmark and recognition models once per process (~220 MB RSS, ~1 s). */
export function faceModels(): Promise<FaceModels> {
  if (!loading) {
    loading = load().catch((error: unknown) => {
      loading = undefined; // a failed load may be retried by the next call
      throw error;
    });
  }
  return loading;
}
