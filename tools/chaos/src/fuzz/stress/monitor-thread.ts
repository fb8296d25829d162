import { parentPort, workerData } from 'node:worker_threads';
import { HealthProbe } from './probe.ts';

// The probe's thread: 'start' opens a window, 'stop' answers with its vitals, 'close' ends the thread.
const { apiUrl, apiPid } = workerData as { apiUrl: string; apiPid: number | undefined };
const probe = new HealthProbe(apiUrl, () => apiPid);
parentPort?.on('message', async (message: 'start' | 'stop' | 'close') => {
  if (message === 'start') {
    await probe.start();
    parentPort?.postMessage({ started: true });
  } else if (message === 'stop') {
    parentPort?.postMessage({ vitals: await probe.stop() });
  } else {
    await probe.close();
    parentPort?.close();
  }
});
