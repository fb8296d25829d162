import proto, { type temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_TYPES } from '../contract.ts';

/** The two calls the check needs; `Connection` (client) and `NativeConnection` (worker) both have them. */
export interface SearchAttributeServices {
  operatorService: {
    listSearchAttributes(request: { namespace: string }): Promise<{
      customAttributes?: Record<string, temporal.api.enums.v1.IndexedValueType> | null;
    }>;
  };
  workflowService: {
    countWorkflowExecutions(request: { namespace: string; query: string }): Promise<unknown>;
  };
}

export interface SearchAttributeCheck {
  /** Attributes the namespace lacks (or has with another type than Keyword). */
  missing: string[];
  /** `operator`: listed by the operator service; `visibility`: probed by queries (no operator permission). */
  via: 'operator' | 'visibility';
}

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;
const INVALID_ARGUMENT = 3;

const codeOf = (error: unknown) => (error as { code?: unknown }).code;

/**
 * Which of the platform's search attributes (contract.ts) the namespace lacks. The operator service
 * lists them; an API key without operator permission (Temporal Cloud's namespace roles) gets a
 * visibility query per attribute instead, which the server refuses for an undefined attribute.
 */
export async function checkSearchAttributes(
  services: SearchAttributeServices,
  namespace: string,
): Promise<SearchAttributeCheck> {
  const wanted = Object.keys(SEARCH_ATTRIBUTE_TYPES);
  try {
    const { customAttributes } = await services.operatorService.listSearchAttributes({ namespace });
    const present = customAttributes ?? {};
    return { missing: wanted.filter((name) => present[name] !== KEYWORD), via: 'operator' };
  } catch (error) {
    if (codeOf(error) !== PERMISSION_DENIED && codeOf(error) !== UNIMPLEMENTED) throw error;
  }
  const missing: string[] = [];
  for (const name of wanted) {
    try {
      await services.workflowService.countWorkflowExecutions({ namespace, query: `${name} = 'check'` });
    } catch (error) {
      if (codeOf(error) !== INVALID_ARGUMENT) throw error;
      missing.push(name);
    }
  }
  return { missing, via: 'visibility' };
}

/** What an operator runs to create them with the Temporal CLI. */
export function searchAttributeCommands(missing: readonly string[], namespace: string): string[] {
  return missing.map(
    (name) =>
      `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword`,
  );
}

/** The whole message for a worker that must not start: what is missing and the exact commands. */
export function missingSearchAttributesMessage(check: SearchAttributeCheck, namespace: string): string {
  return [
    `namespace "${namespace}" lacks the search attributes ${check.missing.join(', ')} (Keyword), which the API filters jobs on. Create them, then start the worker again:`,
    ...searchAttributeCommands(check.missing, namespace).map((command) => `  ${command}`),
    `  (Temporal Cloud: tcld namespace search-attributes add --namespace ${namespace} ${check.missing.map((name) => `--search-attribute '${name}=Keyword'`).join(' ')})`,
  ].join('\n');
}
