// Sends a whole JS array as ONE bind parameter (drizzle would expand it into one parameter per element).

/** A Postgres array literal ('{...}') for one bind parameter: drizzle would send a JS array as N parameters. */
export function pgArray(values: readonly (string | number | boolean | null)[]): string {
  const items = values.map((v) => {
    if (v === null) return 'NULL';
    if (typeof v === 'boolean') return v ? 't' : 'f';
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`cannot send ${v} in a numeric array`);
      return String(v);
    }
    return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

/** An int[] column: an array from postgres.js, a literal like {1,2} where the driver leaves it as text. */
export const parseIntArray = (v: readonly (number | string)[] | string): number[] =>
  Array.isArray(v) ? v.map(Number) : v === '{}' ? [] : (v as string).slice(1, -1).split(',').map(Number);
