import { useEffect, useReducer, useRef } from 'react';
import type { Api, ApiError } from '../api/client.ts';
import { type Job, type JobEvent, JobEventsSubscription } from '../api/operations.ts';
import {
  applyJobEvent,
  EMPTY_PROGRESS,
  type JobProgress,
  progressFromJob,
  TERMINAL_STAGES,
} from './job-progress.ts';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'finished' | 'error';

interface State {
  progress: JobProgress;
  live: LiveState;
  error?: ApiError;
}

type Action =
  | { type: 'reset'; job?: Job }
  | { type: 'event'; event: JobEvent }
  | { type: 'live'; live: LiveState }
  | { type: 'error'; error: ApiError };

function reducer(state: State, action: Action): State {
  switch (action.type) {
    case 'reset':
      return { progress: action.job ? progressFromJob(action.job) : EMPTY_PROGRESS, live: 'connecting' };
    case 'event': {
      const progress = applyJobEvent(state.progress, action.event);
      const finished = progress.stage !== undefined && TERMINAL_STAGES.has(progress.stage);
      return { ...state, progress, live: finished ? 'finished' : 'live' };
    }
    case 'live':
      return state.live === 'finished' ? state : { ...state, live: action.live };
    case 'error':
      return { ...state, live: 'error', error: action.error };
  }
}

/**
 * Follows one job live: `jobEvents(jobId, afterSeq)` gives a snapshot and then every event in order.
 * After a dropped connection graphql-ws resubscribes with `afterSeq` = the last seq applied (the variables
 * object is updated in place), so nothing is missed and nothing is applied twice.
 */
export function useJobEvents(api: Api | undefined, jobId: string | undefined, initial?: Job): State {
  const [state, dispatch] = useReducer(reducer, { progress: EMPTY_PROGRESS, live: 'connecting' });
  const initialRef = useRef(initial);
  initialRef.current = initial;

  useEffect(() => {
    if (!api || !jobId) return;
    const seed = initialRef.current?.id === jobId ? initialRef.current : undefined;
    dispatch({ type: 'reset', ...(seed ? { job: seed } : {}) });
    const variables = { jobId, afterSeq: 0 };
    let done = false;
    const unsubscribe = api.subscribe(JobEventsSubscription, variables, {
      next: ({ jobEvents }) => {
        variables.afterSeq = Math.max(variables.afterSeq, jobEvents.seq);
        dispatch({ type: 'event', event: jobEvents });
      },
      error: (error) => {
        if (!done) dispatch({ type: 'error', error });
      },
      complete: () => {
        done = true;
        dispatch({ type: 'live', live: 'finished' });
      },
      reconnecting: () => {
        if (!done) dispatch({ type: 'live', live: 'reconnecting' });
      },
    });
    return () => {
      done = true;
      unsubscribe();
    };
  }, [api, jobId]);

  return state;
}
