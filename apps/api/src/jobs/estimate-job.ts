import type { Logger } from '@photomaker/observability';
import type { PhotoMakerParams, RunwareError } from '@photomaker/schema';
import type { UrlGuard } from '@photomaker/url-guard';
import type { Pricer } from '../pricing/runware-pricer.ts';
import type { ImageIntake } from './image-intake.ts';
import { InvalidInputError } from './input-error.ts';
import { imagesAtMost, jobOptionsOf, type OptionFields, withRegenerateBelow } from './job-options.ts';
import { deadlineOf, priorityOf } from './submit-job.ts';
import type { TenantLimits } from './usage-ledger.ts';
import { checkOutboundUrls, ParamsError, validateParams } from './validate-params.ts';

/** Where an estimate's price came from. */
export type PriceSource = 'RUNWARE' | 'CONFIGURED';

export interface EstimateRequest {
  tenant: string;
  /** As in SubmitRequest: raw client parameters (validated here) or a wire task's (validated already). */
  input: { raw: unknown } | { params: PhotoMakerParams };
  cancelAfter?: unknown;
  /** As in SubmitRequest: checked the same way (a bad priority is refused as a submission would be). */
  priority?: unknown;
  /** As in SubmitRequest: the job's own options, checked the same way (a bad one is refused). */
  options?: OptionFields & { regenerateBelow?: unknown };
  limits: TenantLimits;
  signal?: AbortSignal | undefined;
}

export type EstimateResult =
  | {
      ok: true;
      images: number;
      /** USD for every image; null when Runware cannot price and the tenant has no configured price. */
      costUsd: number | null;
      /** With every extra image regenerateBelow allows: what limits and spend count at submission. */
      maxImages: number;
      maxCostUsd: number | null;
      source: PriceSource;
    }
  | { ok: false; errors: RunwareError[]; paths?: Map<string, (string | number)[]> };

export interface EstimateJobDeps {
  intake: Pick<ImageIntake, 'checkInputImages'>;
  guard: Pick<UrlGuard, 'check'>;
  /** Runware's dry run; undefined: no Runware to ask (configured prices only). */
  pricer: Pricer | undefined;
  logger: Logger;
}

/**
 * What a submission would cost, and whether it would be accepted, without starting anything: the
 * submission's validation (parameters, cancelAfter, priority, the job's options, outbound URLs, input
 * images decoded within the limits, ids that are the tenant's), then Runware's dry-run price; when
 * Runware cannot price, the tenant's configured price per image. Nothing is stored, reserved or counted against a quota: no place
 * in the admission queue (maxQueuedJobs), no images against the per-minute or per-day limits, no spend.
 * One job of `numberResults` images, priced as the worker runs it: one Runware task of one image per
 * image, so Runware's price for one such task times the images; and the most it can come to, with every
 * extra image its regenerateBelow allows (what a submission counts against the limits).
 */
export class EstimateJob {
  private readonly deps: EstimateJobDeps;
  constructor(deps: EstimateJobDeps) {
    this.deps = deps;
  }

  async estimate(request: EstimateRequest): Promise<EstimateResult> {
    try {
      return await this.run(request);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      return {
        ok: false,
        errors: error.errors,
        ...(error instanceof ParamsError ? { paths: error.paths } : {}),
      };
    }
  }

  private async run(request: EstimateRequest): Promise<EstimateResult> {
    deadlineOf(request.cancelAfter);
    priorityOf(request.priority);
    const checked = jobOptionsOf(request.options ?? {});
    const params = 'raw' in request.input ? validateParams(request.input.raw) : request.input.params;
    const options = withRegenerateBelow(checked, request.options?.regenerateBelow, params);
    await checkOutboundUrls(this.deps.guard, params);
    const runwareImages = await this.deps.intake.checkInputImages(request.tenant, params.inputImages);
    const images = params.numberResults ?? 1;
    const maxImages = imagesAtMost(params, options);
    // The worker sends one Runware task of one image per image: the price of one such task, times images.
    const answer = this.deps.pricer
      ? await this.deps.pricer.price({ ...params, numberResults: 1 }, runwareImages, request.signal)
      : ({ kind: 'unavailable', reason: 'no Runware configured' } as const);
    if (answer.kind === 'invalid') return { ok: false, errors: answer.errors };
    const [perImage, source]: [number | undefined, PriceSource] =
      answer.kind === 'priced'
        ? [answer.costUsd, 'RUNWARE']
        : [request.limits.pricePerImageUsd, 'CONFIGURED'];
    const costOf = (n: number) => (perImage === undefined ? null : roundUsd(perImage * n));
    return { ok: true, images, costUsd: costOf(images), maxImages, maxCostUsd: costOf(maxImages), source };
  }
}

/** Nano-USD precision, like Runware's cost fields: no 0.30000000000000004. */
function roundUsd(usd: number): number {
  return Number(usd.toFixed(9));
}
