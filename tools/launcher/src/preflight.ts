import { assertPortFree, PortInUseError } from '@photomaker/harness';
import { portVariable, type StackPorts } from './config.ts';

const PORT_LABELS: Record<keyof StackPorts, string> = {
  api: 'the API and web app',
  temporal: 'the Temporal dev server',
  temporalUi: 'the Temporal Web UI',
  redis: 'redis-server',
  emulator: 'the Runware emulator',
  workerHttp: 'the worker (metrics, codec)',
  workerCoreMetrics: 'the worker (Temporal SDK metrics)',
};

/**
 * Every port we are about to bind, checked before anything starts: a busy port is one clear line per
 * port (which service, which variable moves it), never a stack trace from deep inside a child.
 */
export async function busyPorts(ports: { [K in keyof StackPorts]?: number | undefined }): Promise<string[]> {
  const problems: string[] = [];
  for (const [key, port] of Object.entries(ports) as [keyof StackPorts, number | undefined][]) {
    if (port === undefined) continue;
    try {
      await assertPortFree(port, PORT_LABELS[key]);
    } catch (error) {
      if (!(error instanceof PortInUseError)) throw error;
      problems.push(
        `port ${port} (for ${PORT_LABELS[key]}) is already in use: stop what holds it (\`ss -ltnp 'sport = :${port}'\` shows it) or choose another port with ${portVariable(key)}`,
      );
    }
  }
  return problems;
}
