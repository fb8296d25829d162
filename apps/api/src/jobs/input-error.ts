import type { RunwareError } from '@photomaker/schema';

/**
 * Bad input, as Runware-style errors (code, parameter, message). GraphQL turns it into BAD_USER_INPUT,
 * /v1 into a 400 `errors` body. Thrown before anything is started.
 */
export class InvalidInputError extends Error {
  readonly errors: RunwareError[];
  constructor(errors: RunwareError[]) {
    super(errors.map((error) => error.message).join(' '));
    this.name = 'InvalidInputError';
    this.errors = errors;
  }

  static of(code: string, parameter: string, message: string): InvalidInputError {
    return new InvalidInputError([{ code, parameter, message }]);
  }
}
