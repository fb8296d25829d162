import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { latencySchema } from '../config/latency.ts';
import type { EmulatorContext } from '../context.ts';
import { FaultConfigError } from '../faults/fault-config.ts';
import { inspectTask } from '../state/task-registry.ts';
import type { Sessions } from '../ws/sessions.ts';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

const balanceSchema = z.strictObject({ balance: z.number().min(0) });

export interface AdminDeps {
  sessions: Sessions;
  /** Everything back to how the process started. */
  reset: () => void;
}

/** The inspection view: what tests use to prove nothing was run or paid twice. */
export function inspect(ctx: EmulatorContext, sessions: Sessions): Record<string, unknown> {
  const ledger = ctx.ledger.snapshot();
  const tasks: Record<string, unknown> = {};
  for (const record of ctx.tasks.all()) tasks[record.taskUUID] = inspectTask(record);
  return {
    balance: ledger.balance,
    taskTypes: Object.fromEntries(ctx.tasks.taskTypes),
    dryRuns: ctx.tasks.dryRuns,
    tasks,
    ledger,
    activeGenerations: ctx.capacity.active(),
    peakActiveGenerations: ctx.capacity.peak(),
    sessions: sessions.size,
    replayedFrames: sessions.replayed,
    images: ctx.images.stats(),
    faultsInjected: { ...ctx.faults.injected },
  };
}

function badRequest(reply: FastifyReply, message: string) {
  return reply.code(400).send({ error: 'badRequest', message });
}

function zodMessage(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** /admin/*: inspection, faults, balance, latency, reset. JSON, loopback callers only. */
export function registerAdminRoutes(app: FastifyInstance, ctx: EmulatorContext, deps: AdminDeps): void {
  app.register(
    async (admin) => {
      admin.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        if (!LOOPBACK.test(request.socket.remoteAddress ?? '')) {
          return reply
            .code(403)
            .send({ error: 'forbidden', message: 'the admin API answers loopback callers only' });
        }
      });
      admin.get('/inspect', async () => inspect(ctx, deps.sessions));
      admin.get<{ Params: { uuid: string } }>('/inspect/tasks/:uuid', async (request, reply) => {
        const record = ctx.tasks.get(request.params.uuid);
        if (!record)
          return reply.code(404).send({ error: 'notFound', message: 'no task with this taskUUID' });
        return { taskUUID: record.taskUUID, ...inspectTask(record) };
      });

      const faultAction =
        (action: (body: unknown) => unknown) => async (request: FastifyRequest, reply: FastifyReply) => {
          try {
            return action(request.body);
          } catch (error) {
            if (error instanceof FaultConfigError) return badRequest(reply, error.message);
            throw error;
          }
        };
      admin.get('/faults', async () => ctx.faults.get());
      admin.put(
        '/faults',
        faultAction((body) => ctx.faults.replace(body)),
      );
      admin.patch(
        '/faults',
        faultAction((body) => ctx.faults.patch(body)),
      );
      admin.delete('/faults', async () => ctx.faults.clear());

      admin.get('/balance', async () => ({ balance: ctx.ledger.snapshot().balance }));
      admin.put('/balance', async (request, reply) => {
        const parsed = balanceSchema.safeParse(request.body);
        if (!parsed.success) return badRequest(reply, `balance: ${zodMessage(parsed.error)}`);
        ctx.ledger.setBalance(parsed.data.balance);
        return { balance: ctx.ledger.snapshot().balance };
      });

      admin.get('/latency', async () => ctx.latency);
      admin.put('/latency', async (request, reply) => {
        const parsed = latencySchema.partial().safeParse(request.body);
        if (!parsed.success) return badRequest(reply, `latency: ${zodMessage(parsed.error)}`);
        Object.assign(
          ctx.latency,
          Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)),
        );
        return ctx.latency;
      });

      admin.post('/reset', async () => {
        deps.reset();
        return { reset: true, balance: ctx.ledger.snapshot().balance };
      });
    },
    { prefix: '/admin' },
  );
}
