import { z } from 'zod';

// Runware's `accountManagement` task, the two operations we use: `getDetails` (balance, keys, usage
// totals) and `getUsageActivity` (requests, results and spend over a date window, by date, model or API
// key). Shapes after Runware's TypeScript SDK task map (2026 schema, see shared/reference/anchors-2026-12.md
// §1.1): dates are YYYY-MM-DD, a window spans at most 30 days, spend is USD.

export const USAGE_GROUP_BY = ['date', 'model', 'apiKey'] as const;
export type UsageActivityGroupBy = (typeof USAGE_GROUP_BY)[number];

/** Runware caps a usage window (startDate..endDate, both included) at 30 days. */
export const MAX_USAGE_WINDOW_DAYS = 30;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isoDate = z
  .string()
  .regex(DATE)
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)));

export const getDetailsTaskSchema = z.object({
  taskType: z.literal('accountManagement'),
  taskUUID: z.uuid(),
  operation: z.literal('getDetails'),
});

export const getUsageActivityTaskSchema = z.object({
  taskType: z.literal('accountManagement'),
  taskUUID: z.uuid(),
  operation: z.literal('getUsageActivity'),
  startDate: isoDate,
  endDate: isoDate,
  groupBy: z.array(z.enum(USAGE_GROUP_BY)).min(1).max(3).optional(),
  models: z.array(z.string().min(1).max(200)).max(100).optional(),
  apiKeys: z.array(z.string().min(1).max(200)).max(100).optional(),
  timezone: z.string().max(64).optional(),
});

export type GetDetailsTask = z.output<typeof getDetailsTaskSchema>;
export type GetUsageActivityTask = z.output<typeof getUsageActivityTaskSchema>;

/** Requests accepted, results (images) charged, and their spend, over some period. */
export interface UsageFigures {
  requests: number;
  results: number;
  spend: number;
}

export interface AccountApiKey {
  /** Masked: never the key. */
  apiKey: string;
  name: string;
  lastUsedAt: string | null;
  requests: number;
}

export interface AccountDetailsResult {
  taskType: 'accountManagement';
  taskUUID: string;
  operation: 'getDetails';
  organizationUUID: string;
  organizationName: string;
  /** USD available. */
  balance: number;
  team: { name: string; email: string; role: 'Owner' | 'Admin' | 'Developer' }[];
  apiKeys: AccountApiKey[];
  usage: { today: UsageFigures; last7Days: UsageFigures; last30Days: UsageFigures; total: UsageFigures };
}

export interface UsageMeta {
  totalRequests: number;
  totalResults: number;
  totalSpend: number;
  avgDailySpend: number;
}

/** One row: `count` is requests (Runware's field), `results` the images charged, `spend` USD. */
export interface UsageActivityRow {
  date: string;
  count: number;
  results: number;
  spend: number;
  model?: string;
  apiKey?: string;
}

export interface UsageActivityResult {
  taskType: 'accountManagement';
  taskUUID: string;
  operation: 'getUsageActivity';
  startDate: string;
  endDate: string;
  usage: {
    timeseries?: { data: UsageActivityRow[]; meta: UsageMeta };
    model?: { data: UsageActivityRow[]; meta: UsageMeta };
    apiKey?: { data: UsageActivityRow[]; meta: UsageMeta };
  };
}

const figures = z.object({ requests: z.number(), results: z.number(), spend: z.number() });
const meta = z.object({
  totalRequests: z.number(),
  totalResults: z.number(),
  totalSpend: z.number(),
  avgDailySpend: z.number(),
});
const row = z.object({
  date: z.string(),
  count: z.number(),
  results: z.number().default(0),
  spend: z.number(),
  model: z.string().optional(),
  apiKey: z.string().optional(),
});
const section = z.object({ data: z.array(row), meta });

/** What a client accepts as a getDetails answer (unknown fields kept out, missing lists empty). */
export const accountDetailsResultSchema = z.object({
  taskType: z.literal('accountManagement'),
  taskUUID: z.string(),
  operation: z.literal('getDetails'),
  organizationUUID: z.string().default(''),
  organizationName: z.string().default(''),
  balance: z.number(),
  team: z
    .array(z.object({ name: z.string(), email: z.string(), role: z.enum(['Owner', 'Admin', 'Developer']) }))
    .default([]),
  apiKeys: z
    .array(
      z.object({
        apiKey: z.string(),
        name: z.string(),
        lastUsedAt: z.string().nullable(),
        requests: z.number(),
      }),
    )
    .default([]),
  usage: z.object({ today: figures, last7Days: figures, last30Days: figures, total: figures }),
});

export const usageActivityResultSchema = z.object({
  taskType: z.literal('accountManagement'),
  taskUUID: z.string(),
  operation: z.literal('getUsageActivity'),
  startDate: z.string(),
  endDate: z.string(),
  usage: z.object({
    timeseries: section.optional(),
    model: section.optional(),
    apiKey: section.optional(),
  }),
});
