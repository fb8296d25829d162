export type DefinedOnly<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/**
 * `{ a: 1, b: undefined }` -> `{ a: 1 }`: a setting the user left unset stays absent from the options
 * built from it, instead of being present as `undefined` (exactOptionalPropertyTypes).
 */
export function definedOnly<T extends Record<string, unknown>>(values: T): DefinedOnly<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as DefinedOnly<T>;
}
