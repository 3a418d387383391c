/**
 * Input checks shared by the chart helper and the report. Errors name the field so a caller
 * assembling a report from a long negotiation can tell which of its many series is wrong.
 */

export function requireFinite(field: string, value: number): void {
  if (typeof value !== 'number') throw new TypeError(`${field} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new RangeError(`${field} must be finite, got ${String(value)}`);
}

export function requireFiniteValues(field: string, values: readonly number[], expectedLength?: number): void {
  if (!Array.isArray(values)) throw new TypeError(`${field} must be an array of numbers`);
  if (expectedLength !== undefined && values.length !== expectedLength) {
    throw new RangeError(`${field} has ${values.length} values, expected ${expectedLength}`);
  }
  values.forEach((value, i) => requireFinite(`${field}[${i}]`, value));
}

/** How a series is named in a message: by index for locating it, by name for recognising it. */
export function seriesField(field: string, index: number, name: string): string {
  return `${field}[${index}] (${JSON.stringify(name)}).values`;
}

export function requireString(field: string, value: string): void {
  if (typeof value !== 'string') throw new TypeError(`${field} must be a string, got ${typeof value}`);
}
