// The one CSV writer of every export (open data, performance): RFC 4180 quoting, and text that a
// spreadsheet would run as a formula (a cell starting with = + - @, a tab or a carriage return) is
// neutralised with a leading apostrophe, so a complaint typed as "=HYPERLINK(...)" stays text in Excel.

/** A CSV field value; null (and undefined) is written as an empty field. */
export type CsvValue = string | number | boolean | null | undefined;

/** The characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell as a spreadsheet will show it: prefixed with ' when it would start a formula. Numbers are
 * not text: a negative score stays a number (the writer only neutralises strings).
 */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** One CSV field: formula text neutralised, quoted when it holds a comma, quote or line break. */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? neutraliseFormula(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV per RFC 4180 (CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled) with a
 * UTF-8 byte-order mark so spreadsheet programs read the Chinese names.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  const lines = [header, ...rows].map((r) => r.map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
