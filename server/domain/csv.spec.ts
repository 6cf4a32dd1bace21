import { describe, expect, it } from 'vitest';
import { csvField, neutraliseFormula, toCsv } from './csv';

/** Reads one CRLF line of simple RFC 4180 fields back (enough for the cells written here). */
function cells(line: string): string[] {
  const out: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) && m[0] !== '') {
    const f = m[1];
    out.push(f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f);
    if (m[2] === '') break;
  }
  return out;
}

describe('CSV formula neutralisation', () => {
  it.each([
    ['=HYPERLINK("http://evil.example","click")'],
    ['+1+cmd|" /C calc"!A0'],
    ['-2+3'],
    ['@SUM(A1:A9)'],
    ['\t=1+1'],
    ['\r=1+1'],
  ])('a text cell %j that a spreadsheet would run is written with a leading apostrophe', (text) => {
    const [cell] = cells(
      toCsv(['x'], [[text]])
        .slice(1)
        .split('\r\n')[1],
    );
    expect(cell).toBe(`'${text}`);
  });

  it('leaves ordinary text, text with the characters later on, and numbers alone', () => {
    expect(neutraliseFormula('井盖缺失 = 危险')).toBe('井盖缺失 = 危险');
    expect(neutraliseFormula('a@b.example')).toBe('a@b.example');
    expect(csvField(-3.5)).toBe('-3.5'); // a negative score stays a number a spreadsheet can sum
    expect(csvField(0)).toBe('0');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('still quotes per RFC 4180 after the prefix', () => {
    expect(csvField('=A1,"B"')).toBe(`"'=A1,""B"""`);
    expect(csvField('-\nline')).toBe(`"'-\nline"`);
  });
});
