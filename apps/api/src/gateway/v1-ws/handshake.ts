import { type RunwareError, stringifyRunwareJson } from '@photomaker/schema';
import type { AdmissionGate, Refusal } from '../../auth/admission.ts';
import type { Principal } from '../../auth/api-keys.ts';
import { refusalOf } from '../v1/body-admission.ts';
import { runwareError } from '../v1/results.ts';
import { asTask, errorsForEach, parseFrame } from './frames.ts';

/** The first frame's verdict: who the socket is (and the frame's other tasks), or the refusal to send. */
export type Handshake =
  | { ok: true; principal: Principal; resumeUUID: string | undefined; rest: unknown[] }
  | { ok: false; frame: string };

const AUTH = { taskType: 'authentication', parameter: 'apiKey' } as const;

/** A refusal of the handshake: `errors` for most clients, also `error` (the new TS SDK reads that). */
function refused(errors: RunwareError[]): Handshake {
  return { ok: false, frame: stringifyRunwareJson({ errors, error: errors[0] }) };
}

/** The error an admission refusal answers, on the authentication task. */
export function authError(refusal: Refusal): RunwareError {
  return { ...refusalOf(refusal).error, ...AUTH };
}

/**
 * Runware's handshake: the first frame must start with `{"taskType":"authentication","apiKey":…}`
 * (optionally `connectionSessionUUID` to resume). The key is checked (address block first, as on every
 * transport) before any other task of the frame is looked at.
 */
export function handshake(
  admission: Pick<AdmissionGate, 'authenticate'>,
  text: string,
  ip: string | undefined,
): Handshake {
  const tasks = parseFrame(text);
  if (!Array.isArray(tasks)) return refused([{ ...tasks, ...AUTH }]);
  const first = asTask(tasks[0]);
  if (first.taskType !== 'authentication') {
    const message = 'The first frame must authenticate: [{"taskType":"authentication","apiKey":"<key>"}].';
    return refused(errorsForEach(tasks, runwareError('missingApiKey', message, AUTH)));
  }
  const apiKey = typeof first.apiKey === 'string' ? first.apiKey : undefined;
  const admitted = admission.authenticate({ apiKey, transport: 'v1', ip });
  if (!admitted.ok) return refused([authError(admitted.refusal)]);
  const resume = first.connectionSessionUUID;
  return {
    ok: true,
    principal: admitted.principal,
    resumeUUID: typeof resume === 'string' ? resume : undefined,
    rest: tasks.slice(1),
  };
}
