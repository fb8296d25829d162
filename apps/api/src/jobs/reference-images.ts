import { randomUUID } from 'node:crypto';
import { getMany, masterConnections, type RedisClient } from '@photomaker/events';
import { referenceImageKey as key } from '@photomaker/retention';
import type { BlobRef } from '@photomaker/schema';

/** Reference images live 30 days after their last use, like Runware's uploads. */
export const REFERENCE_TTL_SECONDS = 30 * 24 * 3600;

export interface StoredReference {
  id: string;
  blob: BlobRef;
  createdAt: string;
}

/**
 * Tenant-scoped id -> BlobRef of uploaded reference images (the bytes are in the blob store). A tenant
 * can only resolve its own ids; another tenant's id is simply unknown to it.
 */
export class ReferenceImageRegistry {
  private readonly redis: RedisClient;
  constructor(redis: RedisClient) {
    this.redis = redis;
  }

  async register(tenant: string, blob: BlobRef, id: string = randomUUID()): Promise<StoredReference> {
    const stored: StoredReference = { id, blob, createdAt: new Date().toISOString() };
    await this.redis.set(key(tenant, id), JSON.stringify(stored), 'EX', REFERENCE_TTL_SECONDS);
    return stored;
  }

  /** The blobs of every tenant's reference images (garbage collection keeps them). */
  async referencedBlobs(): Promise<Set<string>> {
    const found = new Set<string>();
    // A cluster's keys are spread over its masters: each is scanned (a replica holds the same keys).
    for (const node of masterConnections(this.redis)) {
      const stream = node.scanStream({ match: 'photomaker:refimg:*', count: 500 });
      for await (const keys of stream as AsyncIterable<string[]>) {
        for (const text of await getMany(this.redis, keys)) {
          const sha256 = text ? (JSON.parse(text) as Partial<StoredReference>).blob?.sha256 : undefined;
          if (sha256) found.add(sha256);
        }
      }
    }
    return found;
  }

  /** Looks an id up without extending its life (an estimate is not a use). */
  async peek(tenant: string, id: string): Promise<StoredReference | undefined> {
    const text = await this.redis.get(key(tenant, id));
    return text ? (JSON.parse(text) as StoredReference) : undefined;
  }

  /** Forgets an id (erasure); true when it existed. */
  async remove(tenant: string, id: string): Promise<boolean> {
    return (await this.redis.del(key(tenant, id))) === 1;
  }

  /** Looks an id up and extends its life (it is being used). */
  async resolve(tenant: string, id: string): Promise<StoredReference | undefined> {
    const text = await this.redis.getex(key(tenant, id), 'EX', REFERENCE_TTL_SECONDS);
    return text ? (JSON.parse(text) as StoredReference) : undefined;
  }
}
