import proto, { type temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import {
  checkSearchAttributes,
  missingSearchAttributesMessage,
  type SearchAttributeServices,
} from '../../src/connection/index.ts';

const { INDEXED_VALUE_TYPE_KEYWORD: KEYWORD, INDEXED_VALUE_TYPE_TEXT: TEXT } =
  proto.temporal.api.enums.v1.IndexedValueType;
const grpcError = (code: number, message: string) => Object.assign(new Error(message), { code });

// In-process doubles of the two RPCs; the worker's TLS tests run the same check against a real server
// (all present, all missing, and the operator service refused by the terminator).
function services(options: {
  listed?: Record<string, temporal.api.enums.v1.IndexedValueType>;
  operatorCode?: number;
  defined?: string[];
}): SearchAttributeServices & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    operatorService: {
      listSearchAttributes: async () => {
        if (options.operatorCode !== undefined) throw grpcError(options.operatorCode, 'refused');
        return { customAttributes: options.listed ?? {} };
      },
    },
    workflowService: {
      countWorkflowExecutions: async ({ query }) => {
        queries.push(query);
        const name = query.split(' ')[0] ?? '';
        if (!options.defined?.includes(name)) throw grpcError(3, `invalid search attribute: ${name}`);
        return {};
      },
    },
  };
}

describe('checkSearchAttributes', () => {
  it('lists what the operator service lacks, a wrong type included', async () => {
    const check = await checkSearchAttributes(
      services({ listed: { PhotoMakerTenant: KEYWORD, PhotoMakerStatus: TEXT, PhotoMakerModel: KEYWORD } }),
      'prod',
    );
    expect(check).toEqual({ missing: ['PhotoMakerStatus', 'PhotoMakerStyle'], via: 'operator' });
  });

  it('falls back to one visibility query per attribute when the operator service is refused', async () => {
    const doubles = services({ operatorCode: 7, defined: ['PhotoMakerTenant', 'PhotoMakerStatus'] });
    const check = await checkSearchAttributes(doubles, 'prod');
    expect(check).toEqual({ missing: ['PhotoMakerStyle', 'PhotoMakerModel'], via: 'visibility' });
    expect(doubles.queries).toEqual([
      "PhotoMakerTenant = 'check'",
      "PhotoMakerStatus = 'check'",
      "PhotoMakerStyle = 'check'",
      "PhotoMakerModel = 'check'",
    ]);
  });

  it('passes on other failures (the caller explains them)', async () => {
    await expect(checkSearchAttributes(services({ operatorCode: 14 }), 'prod')).rejects.toThrow('refused');
  });

  it('gives the exact commands that create the missing ones', () => {
    const message = missingSearchAttributesMessage({ missing: ['PhotoMakerStyle'], via: 'operator' }, 'prod');
    expect(message).toContain(
      'temporal operator search-attribute create --namespace prod --name PhotoMakerStyle --type Keyword',
    );
  });
});
