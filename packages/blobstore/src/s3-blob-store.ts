import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobRef } from '@photomaker/schema';
import { assertSha256, type BlobStore, SHA256_HEX, type StoredBlob } from './blob-store.ts';
import { isMissingObject, S3BlobStoreError } from './s3-errors.ts';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix, '' or ending in '/': blobs are `<prefix><aa>/<sha256>`, as the local store's files. */
  prefix: string;
  /** Multipart part size of large uploads (bytes, at least 5 MiB, S3's minimum). */
  partSize?: number;
  /** Keys asked per listing page (S3's maximum is 1000). */
  pageSize?: number;
  /** Unix ms written as a put's stored-at; injectable for tests. */
  clock?: () => number;
}

const MIB = 1024 * 1024;
/** User metadata `x-amz-meta-stored-at`: unix ms of the last put of these bytes (see storedAtOf). */
const STORED_AT = 'stored-at';
/**
 * A blob stored less than this long ago is not renewed by a put (no copy per job of a reused photo): the
 * collector's grace is at least a week (apps/api `PHOTOMAKER_BLOB_GC_GRACE_HOURS`), an hour is noise there.
 */
const RENEW_AFTER_MS = 3_600_000;
const KEY_TAIL = /(?:^|\/)([0-9a-f]{2})\/([0-9a-f]{64})$/;

/**
 * When these bytes were last stored: the later of Last-Modified and the stored-at metadata a renewal
 * writes. A listing carries no metadata, so its storedAt (Last-Modified) may be older than this: the
 * collector's final check (deleteIfStoredBefore) reads this one.
 */
function storedAtOf(head: HeadObjectCommandOutput): number {
  const renewed = Number(head.Metadata?.[STORED_AT]);
  return Math.max(head.LastModified?.getTime() ?? 0, Number.isFinite(renewed) ? renewed : 0);
}

/**
 * Blobs as S3 objects `<prefix><aa>/<sha256>`, their media type the object's Content-Type. The bucket is
 * the shared store of replicas that share no disk. A put of bytes already stored only renews the object's
 * time (the garbage collector's grace counts from it); reads stream the response body as it arrives.
 */
export class S3BlobStore implements BlobStore {
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly partSize: number;
  private readonly pageSize: number;
  private readonly clock: () => number;

  constructor(options: S3BlobStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix;
    this.partSize = Math.max(options.partSize ?? 8 * MIB, 5 * MIB);
    this.pageSize = Math.min(Math.max(options.pageSize ?? 1000, 1), 1000);
    this.clock = options.clock ?? Date.now;
  }

  /** The object key of a blob (every key passes assertSha256 first). */
  keyOf(sha256: string): string {
    assertSha256(sha256);
    return `${this.prefix}${sha256.slice(0, 2)}/${sha256}`;
  }

  async put(bytes: Uint8Array, mediaType: string): Promise<BlobRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ref: BlobRef = { sha256, mediaType, size: bytes.byteLength };
    const Key = this.keyOf(sha256);
    // Stored already: the same key holds the same bytes, so only its time is renewed (no upload).
    if (await this.renew(Key)) return ref;
    // Multipart above one part, in parts that are views of `bytes` (no second copy of the image); two
    // parts in flight. Concurrent puts of the same bytes write identical objects: the last one wins.
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key,
        Body: bytes,
        ContentType: mediaType,
        Metadata: { [STORED_AT]: String(this.clock()) },
      },
      partSize: this.partSize,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await this.call('put', Key, () => upload.done());
    return ref;
  }

  /**
   * Copies an existing object onto itself with a new stored-at (S3 also gives it a new Last-Modified;
   * some S3-compatible servers, versitygw among them, keep the old one), unless it was stored within the
   * last hour; false when it is absent.
   */
  private async renew(Key: string): Promise<boolean> {
    const head = await this.head(Key);
    if (!head) return false;
    if (this.clock() - storedAtOf(head) < RENEW_AFTER_MS) return true;
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key,
          CopySource: `${this.bucket}/${encodeURIComponent(Key).replaceAll('%2F', '/')}`,
          // S3 refuses a copy onto itself that changes nothing; replacing the metadata is a change.
          MetadataDirective: 'REPLACE',
          Metadata: { [STORED_AT]: String(this.clock()) },
          ...(head.ContentType ? { ContentType: head.ContentType } : {}),
        }),
      );
      return true;
    } catch (error) {
      // Collected between the head and the copy: the caller uploads it anew.
      if (isMissingObject(error)) return false;
      throw new S3BlobStoreError('renew', this.bucket, Key, error);
    }
  }

  private async head(Key: string) {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw new S3BlobStoreError('stat', this.bucket, Key, error);
    }
  }

  private async call<T>(operation: string, Key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new S3BlobStoreError(operation, this.bucket, Key, error);
    }
  }

  async stat(sha256: string): Promise<BlobRef | undefined> {
    const head = await this.head(this.keyOf(sha256));
    if (!head) return undefined;
    return {
      sha256,
      mediaType: head.ContentType ?? 'application/octet-stream',
      size: head.ContentLength ?? 0,
    };
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== undefined;
  }

  /** One GET: the body streams as it arrives (never read whole here). */
  async stream(sha256: string): Promise<{ ref: BlobRef; body: Readable } | undefined> {
    const Key = this.keyOf(sha256);
    let response: GetObjectCommandOutput;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw new S3BlobStoreError('get', this.bucket, Key, error);
    }
    const body = response.Body;
    if (!(body instanceof Readable)) throw new S3BlobStoreError('get', this.bucket, Key, 'no streaming body');
    const ref = {
      sha256,
      mediaType: response.ContentType ?? 'application/octet-stream',
      size: response.ContentLength ?? 0,
    };
    return { ref, body };
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    const blob = await this.stream(sha256);
    if (!blob) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of blob.body) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  async delete(sha256: string): Promise<void> {
    const Key = this.keyOf(sha256);
    await this.call('delete', Key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
    );
  }

  /** Every blob under the prefix, one listing page (at most `pageSize` keys) at a time. */
  async *list(): AsyncIterable<StoredBlob> {
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: this.pageSize },
      { Bucket: this.bucket, Prefix: this.prefix },
    );
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        const match = KEY_TAIL.exec(object.Key ?? '');
        if (!match?.[2] || !SHA256_HEX.test(match[2]) || object.Key !== this.keyOf(match[2])) continue;
        yield { sha256: match[2], size: object.Size ?? 0, storedAt: object.LastModified?.getTime() ?? 0 };
      }
    }
  }

  /**
   * Deletes a blob unless it was stored at or after `cutoffMs`, read again just before the delete. S3 has
   * no rename to close the gap between that read and the delete (the local store has): a put of the same
   * bytes landing inside that one round trip loses its renewal. See the package README.
   */
  async deleteIfStoredBefore(sha256: string, cutoffMs: number): Promise<boolean> {
    const Key = this.keyOf(sha256);
    const head = await this.head(Key);
    if (!head || storedAtOf(head) >= cutoffMs) return false;
    await this.call('delete', Key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })),
    );
    return true;
  }

  /** A presigned GET of a blob, valid `ttlSeconds` from `now` (unix seconds; S3 allows up to 7 days). */
  presignedUrl(sha256: string, options: { ttlSeconds: number; now?: number }): Promise<string> {
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(sha256) });
    return getSignedUrl(this.client, command, {
      expiresIn: options.ttlSeconds,
      ...(options.now !== undefined ? { signingDate: new Date(options.now * 1000) } : {}),
    });
  }
}
