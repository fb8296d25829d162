/** PhotoMaker's trigger word on Runware. */
export const TRIGGER_WORD = 'rwre';

const TRIGGER_PATTERN = /(?:^|[^A-Za-z0-9_])rwre(?:[^A-Za-z0-9_]|$)/i;

export function hasTriggerWord(prompt: string): boolean {
  return TRIGGER_PATTERN.test(prompt);
}

/**
 * Runware's rule: when `rwre` is absent it is prepended as `rwre, `; when present the user's placement
 * is kept (its position controls the strength of the effect).
 */
export function applyTriggerWord(prompt: string): string {
  return hasTriggerWord(prompt) ? prompt : `${TRIGGER_WORD}, ${prompt}`;
}
