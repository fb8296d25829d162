import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@photomaker/events';
import type { AcceptedTask } from '../v1/tasks.ts';

/** A session's tracked task: its job, and the taskUUID and taskType its results echo. */
export type SessionTask = AcceptedTask;

/** A session as a socket holds it: its UUID, its tenant, and the tasks whose results it still owes. */
export interface SessionState {
  uuid: string;
  tenant: string;
  tasks: SessionTask[];
}

const KEY_PREFIX = 'photomaker:v1ws:session:';
const TASK_FIELD = 'task:';
/** An attached session's key outlives any job (30 min slot TTL) even if its process dies unannounced. */
const ATTACHED_TTL_SECONDS = 3600;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `connectionSessionUUID` sessions, in Redis so a client resumes on any API replica: per session its
 * tenant and the sync tasks whose results have not all been pushed yet. Results are never buffered as
 * bytes: a resume follows each tracked job again and pushes every result it has (Runware's SDKs dedupe
 * by imageUUID), so what a session costs is bounded by its tracked tasks, not by image sizes.
 */
export class SessionStore {
  private readonly redis: Pick<RedisClient, 'multi' | 'hgetall' | 'hdel' | 'expire'>;
  private readonly resumeSeconds: number;

  constructor(
    redis: Pick<RedisClient, 'multi' | 'hgetall' | 'hdel' | 'expire'>,
    options: { resumeMs: number },
  ) {
    this.redis = redis;
    this.resumeSeconds = Math.max(1, Math.ceil(options.resumeMs / 1000));
  }

  /**
   * The session `resumeUUID` names when it is alive and the tenant's (resumed: its tracked tasks), else
   * a new one. Another tenant's session UUID is treated as unknown.
   */
  async open(
    tenant: string,
    resumeUUID: string | undefined,
  ): Promise<{ state: SessionState; resumed: boolean }> {
    if (resumeUUID !== undefined && UUID.test(resumeUUID)) {
      const found = await this.redis.hgetall(KEY_PREFIX + resumeUUID.toLowerCase());
      if (found.tenant === tenant) {
        const uuid = resumeUUID.toLowerCase();
        await this.redis.expire(KEY_PREFIX + uuid, ATTACHED_TTL_SECONDS);
        return { state: { uuid, tenant, tasks: tasksOf(found) }, resumed: true };
      }
    }
    const uuid = randomUUID();
    await this.redis
      .multi()
      .hset(KEY_PREFIX + uuid, 'tenant', tenant)
      .expire(KEY_PREFIX + uuid, ATTACHED_TTL_SECONDS)
      .exec();
    return { state: { uuid, tenant, tasks: [] }, resumed: false };
  }

  async track(uuid: string, task: SessionTask): Promise<void> {
    await this.redis
      .multi()
      .hset(KEY_PREFIX + uuid, TASK_FIELD + task.jobId, JSON.stringify(task))
      .expire(KEY_PREFIX + uuid, ATTACHED_TTL_SECONDS)
      .exec();
  }

  /** Every result of the task has been written to a socket: a resume no longer replays it. */
  async settle(uuid: string, jobId: string): Promise<void> {
    await this.redis.hdel(KEY_PREFIX + uuid, TASK_FIELD + jobId);
  }

  /** The socket closed: the session waits `resumeMs` for a resume, then expires with its tasks. */
  async detach(uuid: string): Promise<void> {
    await this.redis.expire(KEY_PREFIX + uuid, this.resumeSeconds);
  }
}

function tasksOf(fields: Record<string, string>): SessionTask[] {
  const tasks: SessionTask[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (!field.startsWith(TASK_FIELD)) continue;
    const parsed = JSON.parse(value) as Partial<SessionTask>;
    if (
      typeof parsed.jobId === 'string' &&
      typeof parsed.taskUUID === 'string' &&
      typeof parsed.taskType === 'string'
    )
      tasks.push({ jobId: parsed.jobId, taskUUID: parsed.taskUUID, taskType: parsed.taskType });
  }
  return tasks;
}
