import type { PhotoMakerResult } from '@photomaker/schema';
import type {
  CallOptions,
  ClientSettings,
  PhotoMakerCallOptions,
  PhotoMakerRequest,
} from '../client-options.ts';
import type { AsyncAck } from '../rest-client.ts';
import type { ResultCollector } from '../result-collector.ts';
import type { FetchSnapshot } from '../watch-results.ts';

/**
 * The single calls a flow is built from: the client's own building blocks, handed to the flows
 * without making them public API.
 */
export interface FlowPort {
  settings: ClientSettings;
  withPolicy<T>(options: CallOptions, attempt: (attemptNumber: number) => Promise<T>): Promise<T>;
  photoMakerTask(
    task: PhotoMakerRequest,
    deliveryMethod: 'sync' | 'async',
    options: { validate?: boolean | undefined },
  ): Record<string, unknown>;
  sendSync(
    wire: Record<string, unknown>,
    options: PhotoMakerCallOptions,
    collector: ResultCollector,
    onAccepted?: () => void,
  ): Promise<PhotoMakerResult[]>;
  sendAsync(wire: Record<string, unknown>, options: CallOptions): Promise<AsyncAck>;
  /** getResponse of one task, one attempt, within the time left. */
  pollSnapshot(taskUUID: string): FetchSnapshot;
}
