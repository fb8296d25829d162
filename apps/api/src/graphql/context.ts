import type { Logger } from '@photomaker/observability';
import type { ApiServices } from '../services.ts';

/** Per operation: who is calling (tenant from the API key), the request id, and the process services. */
export interface GraphQLContext {
  tenant: string;
  requestId: string;
  logger: Logger;
  services: ApiServices;
  transport: 'http' | 'ws';
}
