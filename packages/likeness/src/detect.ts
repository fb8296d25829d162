import sharp from 'sharp';
import { type DecodedImage, decodeForDetection } from './decode.ts';
import { laplacianVariance, type Point } from './metrics.ts';
import { faceModels } from './models.ts';

/** Detector confidence for a face to count (face-api's default for SSD MobileNet v1). */
export const MIN_DETECTION_SCORE = 0.5;
/** Side of the square greyscale face crop the blur measure runs on, so it does not depend on face size. */
export const BLUR_CROP_SIDE = 128;

export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DetectedFace {
  /** In the original image's pixels (after EXIF orientation). */
  readonly box: FaceBox;
  readonly score: number;
  /** 68 landmarks in the original image's pixels. */
  readonly landmarks: Point[];
  /** 128-d face descriptor (dlib ResNet, via face-api). */
  readonly embedding: number[];
  /** Variance of the Laplacian on the face crop, resized to BLUR_CROP_SIDE square. */
  readonly blur: number;
}

export interface Detection {
  readonly width: number;
  readonly height: number;
  /** Largest first. */
  readonly faces: DetectedFace[];
}

async function faceBlur(img: DecodedImage, box: FaceBox): Promise<number> {
  const left = Math.max(0, Math.floor(box.x / img.scale));
  const top = Math.max(0, Math.floor(box.y / img.scale));
  const width = Math.min(img.width - left, Math.ceil(box.width / img.scale));
  const height = Math.min(img.height - top, Math.ceil(box.height / img.scale));
  if (width < 3 || height < 3) return 0;
  const { data } = await sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } })
    .extract({ left, top, width, height })
    .greyscale()
    .resize(BLUR_CROP_SIDE, BLUR_CROP_SIDE, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return laplacianVariance(data, BLUR_CROP_SIDE, BLUR_CROP_SIDE);
}

/** Every face in an encoded image (JPEG/PNG/WebP...), with landmarks, embedding and blur. */
export async function detectFaces(bytes: Uint8Array): Promise<Detection> {
  const { faceapi, tf } = await faceModels();
  const img = await decodeForDetection(bytes);
  const input = tf.tensor3d(new Int32Array(img.rgb), [img.height, img.width, 3], 'int32');
  let results: Awaited<ReturnType<typeof runDetection>>;
  try {
    // The same tfjs instance at run time (models.ts); face-api's bundled typings name another copy of it.
    results = await runDetection(faceapi, input as unknown as Parameters<typeof faceapi.detectAllFaces>[0]);
  } finally {
    input.dispose();
  }
  const s = img.scale;
  const faces: DetectedFace[] = [];
  for (const r of results) {
    const b = r.detection.box;
    const box = { x: b.x * s, y: b.y * s, width: b.width * s, height: b.height * s };
    faces.push({
      box,
      score: r.detection.score,
      landmarks: r.landmarks.positions.map((p) => ({ x: p.x * s, y: p.y * s })),
      embedding: Array.from(r.descriptor),
      blur: await faceBlur(img, box),
    });
  }
  faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  return { width: img.originalWidth, height: img.originalHeight, faces };
}

function runDetection(
  faceapi: Awaited<ReturnType<typeof faceModels>>['faceapi'],
  input: Parameters<typeof faceapi.detectAllFaces>[0],
) {
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: MIN_DETECTION_SCORE, maxResults: 20 });
  return faceapi.detectAllFaces(input, options).withFaceLandmarks().withFaceDescriptors();
}
