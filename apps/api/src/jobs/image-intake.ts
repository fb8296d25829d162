import { createHash } from 'node:crypto';
import type { BlobStore } from '@photomaker/blobstore';
import type { OutputOwners } from '@photomaker/events';
import {
  type BlobRef,
  classifyImageInput,
  decodeInlineImage,
  errorCode,
  type ReferenceImage,
} from '@photomaker/schema';
import { BodyTooLargeError, readBodyLimited, type UrlGuard, UrlGuardError } from '@photomaker/url-guard';
import type { BlobUsage } from './blob-usage.ts';
import { checkImage } from './image-check.ts';
import { InvalidInputError } from './input-error.ts';
import type { JobRetention } from './job-retention.ts';
import {
  REFERENCE_TTL_SECONDS,
  type ReferenceImageRegistry,
  type StoredReference,
} from './reference-images.ts';

export interface ImageIntakeOptions {
  blobs: BlobStore;
  guard: UrlGuard;
  registry: ReferenceImageRegistry;
  /** Whose job produced a Runware image UUID: another tenant's output is refused as a reference. */
  owners: Pick<OutputOwners, 'ownerOf'>;
  /** Each tenant's bytes in the blob store, refused past its quota. */
  usage: Pick<BlobUsage, 'use' | 'renew'>;
  /** Holds on reference photos until their retention ends (each use renews it). */
  retention?: Pick<JobRetention, 'referenceHeld'>;
  /** How long the bytes of a job's input image stay in use after they were sent (the GC grace). */
  inputLifetimeMs: number;
  maxImageBytes: number;
  /** Width x height of one image (its header is read before anything decodes it). */
  maxImagePixels: number;
  fetchTimeoutMs: number;
}

const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
const REFERENCE_LIFETIME_MS = REFERENCE_TTL_SECONDS * 1000;

/** Where a value came from and how long its bytes stay in use (for errors and for the quota). */
interface Origin {
  tenant: string;
  parameter: string;
  index: number | undefined;
  lifetimeMs: number;
}

/**
 * Turns the image strings a client sends (data URI, base64, URL, UUID) into claim-check references:
 * bytes go to the blob store, never into a workflow payload, once they decode as one still image within
 * the pixel limit (image-check.ts) and fit the tenant's quota. URLs are fetched through the SSRF guard with
 * a size cap and a timeout; UUIDs are this tenant's uploaded reference images, or else Runware image UUIDs
 * (another tenant's outputs refused).
 */
export class ImageIntake {
  private readonly options: ImageIntakeOptions;
  constructor(options: ImageIntakeOptions) {
    this.options = options;
  }

  /** `inputImages` of a task -> references, in order. Throws InvalidInputError naming each bad entry. */
  async resolveInputImages(tenant: string, values: readonly string[]): Promise<ReferenceImage[]> {
    const results = await Promise.allSettled(
      values.map((value, index) => this.resolveOne(tenant, value, index)),
    );
    const errors = results.flatMap((result) =>
      result.status === 'rejected' && result.reason instanceof InvalidInputError ? result.reason.errors : [],
    );
    if (errors.length > 0) throw new InvalidInputError(errors);
    return results.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
  }

  /**
   * An estimate's check of `inputImages`: the same verdicts as `resolveInputImages` (own ids, other
   * tenants' outputs refused, inline and URL bytes decoded within the limits), but nothing is stored,
   * counted or renewed. Per entry: the Runware image UUID it names (for Runware to check), or undefined
   * for an image the API holds or would hold.
   */
  async checkInputImages(tenant: string, values: readonly string[]): Promise<(string | undefined)[]> {
    const results = await Promise.allSettled(
      values.map((value, index) => this.checkOne(tenant, value, index)),
    );
    const errors = results.flatMap((result) =>
      result.status === 'rejected' && result.reason instanceof InvalidInputError ? result.reason.errors : [],
    );
    if (errors.length > 0) throw new InvalidInputError(errors);
    return results.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
  }

  /** A dry run's imageUpload: the image passes the upload's checks; nothing is stored. */
  async checkUpload(value: string, parameter = 'image'): Promise<void> {
    await this.checkedBytes(value, { parameter, index: undefined }, { allowUuid: false });
  }

  private async checkOne(tenant: string, value: string, index: number): Promise<string | undefined> {
    const classified = classifyImageInput(value);
    if (!(classified.ok && classified.value.kind === 'uuid')) {
      await this.checkedBytes(value, { parameter: 'inputImages', index }, { allowUuid: true });
      return undefined;
    }
    const uuid = classified.value.uuid;
    if (await this.options.registry.peek(tenant, uuid)) return undefined;
    const owner = await this.options.owners.ownerOf(uuid);
    if (owner.known && owner.tenant !== tenant)
      this.fail('inputImages', index, 'is not one of your reference images or generated images');
    return uuid;
  }

  /**
   * The references of an earlier job of this tenant, for a retry: the same bytes, their use renewed (so
   * garbage collection keeps them for the new job). Bytes no longer stored are refused, naming the image.
   */
  async reuseReferences(tenant: string, references: readonly ReferenceImage[]): Promise<ReferenceImage[]> {
    for (const [index, reference] of references.entries()) {
      if (reference.kind !== 'blob') continue;
      if (!(await this.options.blobs.has(reference.blob.sha256)))
        this.fail(
          'inputImages',
          index,
          'of the job retried is no longer stored; submit a new job with the photo',
        );
      await this.options.usage.renew(tenant, reference.blob, this.options.inputLifetimeMs);
    }
    return [...references];
  }

  /** An uploaded reference image (GraphQL uploadReferenceImage, /v1 imageUpload). */
  async upload(tenant: string, value: string, parameter = 'image'): Promise<StoredReference> {
    const origin = { tenant, parameter, index: undefined, lifetimeMs: REFERENCE_LIFETIME_MS };
    const blob = await this.bytesOf(value, origin, { allowUuid: false });
    const stored = await this.options.registry.register(tenant, blob);
    await this.options.retention?.referenceHeld(tenant, stored.id, blob);
    return stored;
  }

  private async resolveOne(tenant: string, value: string, index: number): Promise<ReferenceImage> {
    const classified = classifyImageInput(value);
    if (classified.ok && classified.value.kind === 'uuid')
      return this.resolveUuid(tenant, classified.value.uuid, index);
    const origin = { tenant, parameter: 'inputImages', index, lifetimeMs: this.options.inputLifetimeMs };
    return { kind: 'blob', blob: await this.bytesOf(value, origin, { allowUuid: true }) };
  }

  private async resolveUuid(tenant: string, uuid: string, index: number): Promise<ReferenceImage> {
    const own = await this.options.registry.resolve(tenant, uuid);
    if (own) {
      // Independent writes: sent together, one round trip (the API auto-pipelines).
      await Promise.all([
        this.options.usage.renew(tenant, own.blob, REFERENCE_LIFETIME_MS),
        this.options.retention?.referenceHeld(tenant, own.id, own.blob),
      ]);
      return { kind: 'blob', blob: own.blob };
    }
    // An output of this platform is usable by the tenant whose job made it; an owner no longer known
    // cannot be shown to be the caller. Any other UUID is an image already on Runware.
    const owner = await this.options.owners.ownerOf(uuid);
    if (owner.known && owner.tenant !== tenant)
      this.fail('inputImages', index, 'is not one of your reference images or generated images');
    return { kind: 'runware', imageUUID: uuid };
  }

  private fail(parameter: string, index: number | undefined, detail: string): never {
    const where = index === undefined ? parameter : `${parameter}[${index}]`;
    throw new InvalidInputError([
      {
        code: errorCode('invalid', parameter),
        parameter,
        message: `Invalid value for '${parameter}': ${where} ${detail}.`,
        ...(index !== undefined ? { index } : {}),
      },
    ]);
  }

  private async bytesOf(
    value: string,
    origin: Origin,
    { allowUuid }: { allowUuid: boolean },
  ): Promise<BlobRef> {
    const { bytes, mediaType } = await this.checkedBytes(value, origin, { allowUuid });
    return this.store(bytes, mediaType, origin);
  }

  /** The bytes of an inline or URL image once they pass every check (size, decode, pixels); not stored. */
  private async checkedBytes(
    value: string,
    origin: Pick<Origin, 'parameter' | 'index'>,
    { allowUuid }: { allowUuid: boolean },
  ): Promise<{ bytes: Uint8Array; mediaType: string }> {
    const { parameter, index } = origin;
    const classified = classifyImageInput(value);
    if (!classified.ok) this.fail(parameter, index, classified.reason);
    const input = classified.value;
    const limit = this.options.maxImageBytes;
    if (input.kind === 'uuid') {
      if (!allowUuid)
        this.fail(parameter, index, 'is a UUID; upload image data (data URI or base64) or a URL');
      throw new Error('unreachable');
    }
    let bytes: Uint8Array;
    if (input.kind === 'url') {
      bytes = await this.download(input.url, parameter, index);
    } else {
      // base64 is 4/3 of the bytes: refuse before decoding a huge string.
      if (Math.floor((input.base64.length * 3) / 4) > limit + 3)
        this.fail(parameter, index, `is larger than the limit of ${mb(limit)} per image`);
      bytes = decodeInlineImage(input);
    }
    if (bytes.byteLength > limit)
      this.fail(parameter, index, `is ${mb(bytes.byteLength)}; the limit is ${mb(limit)} per image`);
    const checked = await checkImage(bytes, { maxPixels: this.options.maxImagePixels });
    if (!checked.ok) this.fail(parameter, index, checked.reason);
    return { bytes, mediaType: checked.mediaType };
  }

  /** Counts the bytes against the tenant's quota first: refused bytes are never written. */
  private async store(bytes: Uint8Array, mediaType: string, origin: Origin): Promise<BlobRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const used = await this.options.usage.use(
      origin.tenant,
      { sha256, size: bytes.byteLength },
      origin.lifetimeMs,
    );
    if (!used.ok)
      this.fail(
        origin.parameter,
        origin.index,
        `would pass your image storage quota of ${mb(used.quotaBytes)} (${mb(used.totalBytes)} in use); ` +
          'stored images are released once no job or reference image has used them for a while',
      );
    return this.options.blobs.put(bytes, mediaType);
  }

  private async download(url: string, parameter: string, index: number | undefined): Promise<Uint8Array> {
    const limit = this.options.maxImageBytes;
    try {
      const response = await this.options.guard.fetch(url, {
        signal: AbortSignal.timeout(this.options.fetchTimeoutMs),
        headers: { accept: 'image/png, image/jpeg, image/webp' },
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        this.fail(parameter, index, `could not be downloaded: the server answered HTTP ${response.status}`);
      }
      return await readBodyLimited(response, limit);
    } catch (error) {
      if (error instanceof InvalidInputError) throw error;
      const cause = error instanceof Error && error.cause instanceof UrlGuardError ? error.cause : error;
      if (cause instanceof UrlGuardError) this.fail(parameter, index, `is refused: ${cause.message}`);
      if (cause instanceof BodyTooLargeError)
        this.fail(parameter, index, `is larger than the limit of ${mb(limit)} per image`);
      if (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError'))
        this.fail(parameter, index, `could not be downloaded within ${this.options.fetchTimeoutMs} ms`);
      this.fail(parameter, index, 'could not be downloaded (connection failed)');
    }
  }
}
