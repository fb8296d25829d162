import { describe, expect, it } from 'vitest';
import { jobIdFromWorkflowId, SEARCH_ATTRIBUTE_TYPES, workflowIdForJob } from '../src/index.ts';

describe('temporal contract', () => {
  it('derives a readable workflow id from the job id and back', () => {
    expect(workflowIdForJob('0f3a')).toBe('photomaker-0f3a');
    expect(jobIdFromWorkflowId('photomaker-0f3a')).toBe('0f3a');
    expect(jobIdFromWorkflowId('other-0f3a')).toBeUndefined();
  });

  it('lists the search attributes the dev server must register', () => {
    expect(SEARCH_ATTRIBUTE_TYPES).toEqual({
      PhotoMakerTenant: 'Keyword',
      PhotoMakerStatus: 'Keyword',
      PhotoMakerStyle: 'Keyword',
      PhotoMakerModel: 'Keyword',
    });
  });
});
