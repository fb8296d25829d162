import type { PhotoMakerTaskType } from '@photomaker/schema';
import type { Redis } from 'ioredis';

/** As long as a re-sent imageUpload finds its image: Runware keeps uploads 30 days. */
const TTL_SECONDS = 30 * 24 * 3600;

/**
 * Which of Runware's two forms a client used for a /v1 task, so getResponse answers in it (results echo
 * the taskType the client sent). The job itself does not know: both forms are the same job. Only the
 * nested form is written; no entry means the standalone `photoMaker` task.
 */
export class V1TaskForms {
  private readonly redis: Pick<Redis, 'get' | 'set'>;

  constructor(redis: Pick<Redis, 'get' | 'set'>) {
    this.redis = redis;
  }

  /** Called once the job was created by this task: its first sender's form is the one that stays. */
  async remember(tenant: string, taskUUID: string, taskType: PhotoMakerTaskType): Promise<void> {
    if (taskType === 'photoMaker') return;
    await this.redis.set(key(tenant, taskUUID), taskType, 'EX', TTL_SECONDS, 'NX');
  }

  async formOf(tenant: string, taskUUID: string): Promise<PhotoMakerTaskType> {
    const stored = await this.redis.get(key(tenant, taskUUID));
    return stored === 'imageInference' ? 'imageInference' : 'photoMaker';
  }
}

function key(tenant: string, taskUUID: string): string {
  return `photomaker:v1:form:${tenant}:${taskUUID.toLowerCase()}`;
}
