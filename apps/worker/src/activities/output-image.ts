import type { JobImage, OutputFormat, PhotoMakerResult } from '@photomaker/schema';
import { sniffImageMediaType } from '@photomaker/schema';
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import type { ActivityDeps } from './deps.ts';

const MEDIA_TYPES: Record<OutputFormat, string> = { JPG: 'image/jpeg', PNG: 'image/png', WEBP: 'image/webp' };

export interface OutputMeta {
  index: number;
  width: number;
  height: number;
  outputFormat: OutputFormat;
}

/** A retryable failure to fetch an output: the next attempt polls again and downloads again. */
function downloadFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'outputDownloadFailed', message });
}

async function download(deps: ActivityDeps, url: string, signal: AbortSignal): Promise<Uint8Array> {
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, {
      method: 'GET',
      dispatcher: deps.downloads,
      signal,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw downloadFailure(`downloading output image failed: ${(error as Error).message}`);
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw downloadFailure(`downloading output image failed: HTTP ${response.statusCode}`);
  }
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > deps.settings.maxImageBytes) {
    await response.body.dump();
    throw downloadFailure(
      `output image is ${declared} bytes, above the ${deps.settings.maxImageBytes} byte limit`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).byteLength;
    if (size > deps.settings.maxImageBytes) {
      response.body.destroy();
      throw downloadFailure(`output image exceeds the ${deps.settings.maxImageBytes} byte limit`);
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function inlineBytes(result: PhotoMakerResult): Uint8Array | undefined {
  const base64 =
    result.imageBase64Data ??
    (result.imageDataURI ? result.imageDataURI.slice(result.imageDataURI.indexOf(',') + 1) : undefined);
  return base64 === undefined ? undefined : new Uint8Array(Buffer.from(base64, 'base64'));
}

/** Fetches one finished image (URL download or inline base64) into the blob store: the job keeps a BlobRef. */
export async function persistOutput(
  deps: ActivityDeps,
  result: PhotoMakerResult,
  meta: OutputMeta,
  signal: AbortSignal,
): Promise<JobImage> {
  let bytes = inlineBytes(result);
  if (!bytes) {
    if (!result.imageURL) throw downloadFailure(`Runware result ${result.imageUUID} carries no image`);
    bytes = await download(deps, result.imageURL, signal);
  }
  const mediaType = sniffImageMediaType(bytes.subarray(0, 16)) ?? MEDIA_TYPES[meta.outputFormat];
  const blob = await deps.blobs.put(bytes, mediaType);
  deps.metrics.imagesPersisted.inc();
  return {
    index: meta.index,
    imageUUID: result.imageUUID,
    seed: result.seed,
    width: meta.width,
    height: meta.height,
    outputFormat: meta.outputFormat,
    blob,
    ...(result.cost !== undefined ? { cost: result.cost } : {}),
    ...(result.NSFWContent !== undefined ? { nsfw: result.NSFWContent } : {}),
  };
}
