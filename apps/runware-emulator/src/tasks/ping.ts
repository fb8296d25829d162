import { type PingTask, pingTaskSchema, validateWith } from '@photomaker/schema';
import { failure } from '../protocol/errors.ts';
import { failed, succeeded, type TaskOutcome } from '../protocol/outcome.ts';

/** Application-level keep-alive: `[{taskType:"ping",ping:true}]` -> `{taskType:"ping",pong:true}`. */
export function handlePing(raw: unknown): TaskOutcome {
  const checked = validateWith(pingTaskSchema, raw, { taskType: 'ping' });
  if (!checked.ok) return failed(checked.errors.map((error) => failure(error)));
  const task: PingTask = checked.value;
  return succeeded([{ taskType: 'ping', pong: true, ...(task.taskUUID ? { taskUUID: task.taskUUID } : {}) }]);
}
