/**
 * The emulator fault mix of a chaos run (apps/runware-emulator README, "Fault config"): every class the
 * issue names, as independent per-task probabilities, reproducible from a seed. All of them are transient:
 * a job that meets them must still succeed, and Runware must still charge each image once.
 */
export function chaosFaults(seed: number, scale = 1) {
  const p = (probability: number) => Math.min(0.5, probability * scale);
  const tasks = ['photoMaker', 'getResponse', 'imageUpload'];
  return {
    seed,
    retryAfterSeconds: 1,
    slowBodyMs: 1_500,
    stuckPolls: 3,
    rates: [
      {
        match: { taskType: tasks },
        probability: p(0.04),
        fault: { kind: 'error', status: 503, code: 'serviceUnavailable' },
      },
      {
        match: { taskType: tasks },
        probability: p(0.04),
        fault: { kind: 'error', status: 429, code: 'rateLimitExceeded', retryAfterSeconds: 1 },
      },
      {
        match: { taskType: tasks },
        probability: p(0.02),
        fault: { kind: 'error', status: 500, code: 'internalServerError' },
      },
      { match: { taskType: tasks }, probability: p(0.03), fault: { kind: 'reset', when: 'beforeWork' } },
      // Accepted and charged, then the connection dies: the retry must meet conflictTaskUUID, not pay again.
      {
        match: { taskType: 'photoMaker' },
        probability: p(0.05),
        fault: { kind: 'reset', when: 'afterAccept' },
      },
      { match: { taskType: 'photoMaker' }, probability: p(0.02), fault: { kind: 'reset', when: 'midBody' } },
      { match: { taskType: tasks }, probability: p(0.04), fault: { kind: 'slowBody', ms: 1_500 } },
      // Polls that keep saying "processing" (async path: jobs with more than one image).
      { match: { taskType: 'photoMaker' }, probability: p(0.15), fault: { kind: 'stuck', polls: 3 } },
    ],
  };
}

/** What kind of job index i is: most succeed (one or two images, some with a webhook), some must fail. */
export interface JobPlan {
  index: number;
  numberResults: number;
  webhook: boolean;
  /** A model Runware refuses (`invalidModel`): non-retryable, nothing charged. */
  shouldFail: boolean;
}

export function planJob(index: number): JobPlan {
  const shouldFail = index % 10 === 7;
  return {
    index,
    numberResults: !shouldFail && index % 5 === 1 ? 2 : 1,
    webhook: !shouldFail && index % 4 === 0,
    shouldFail,
  };
}

/** A well-formed SDXL-looking AIR id the emulator refuses as not SDXL (README: "invalidModel"). */
export const REFUSED_MODEL = 'runware:100@1';
