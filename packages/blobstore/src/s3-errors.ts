/** What an S3 error response says, read without depending on the SDK's error classes. */
interface S3ErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const MISSING_OBJECT = new Set(['NoSuchKey', 'NotFound']);

/**
 * The object is not there (GET answers NoSuchKey, HEAD a bare 404). A missing bucket is not a missing
 * blob: NoSuchBucket is a configuration error and stays an error.
 */
export function isMissingObject(error: unknown): boolean {
  const shape = error as S3ErrorShape;
  if (shape?.name === 'NoSuchBucket' || shape?.Code === 'NoSuchBucket') return false;
  return MISSING_OBJECT.has(shape?.name ?? '') || shape?.$metadata?.httpStatusCode === 404;
}

/** A failed S3 call, saying which operation on which bucket and key, and S3's own reason. */
export class S3BlobStoreError extends Error {
  readonly operation: string;
  readonly bucket: string;
  readonly key: string;
  /** S3's error code (`AccessDenied`, `NoSuchBucket`, ...) when it sent one. */
  readonly code: string | undefined;

  constructor(operation: string, bucket: string, key: string, cause: unknown) {
    const shape = (typeof cause === 'object' && cause !== null ? cause : {}) as S3ErrorShape;
    const code = shape.Code ?? shape.name;
    const reason = typeof cause === 'string' ? cause : (shape.message ?? String(cause));
    super(`blob store S3 ${operation} of s3://${bucket}/${key} failed: ${code ? `${code}: ` : ''}${reason}`, {
      cause,
    });
    this.name = 'S3BlobStoreError';
    this.operation = operation;
    this.bucket = bucket;
    this.key = key;
    this.code = typeof cause === 'string' ? undefined : code;
  }
}
