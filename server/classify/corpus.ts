// The classifier's training corpus: hand-written complaints, TSV files per taxonomy group, no header:
// `category_code<TAB>text` for short hotline speech (<group>.tsv), `category_code<TAB>subject<TAB>body` for
// formal message-board posts with a title line (<group>.formal.tsv). Read once at server start; a bad line stops the start with the
// file and line named, because a silently skipped example would quietly weaken a category.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { categoryByCode } from '../domain/case-categories';
import type { Example } from './classifier';

/** The corpus folder next to this module; from the source tree when this module was bundled elsewhere. */
export function corpusDir(): string {
  const beside = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');
  if (existsSync(beside)) return beside;
  return path.join(process.cwd(), 'server', 'classify', 'corpus');
}

/** A labelled corpus line with where it came from. */
export interface CorpusExample extends Example {
  /** File name within the corpus folder. */
  file: string;
  /** 1-based line number. */
  line: number;
}

/** Parses one corpus file; throws naming the file and line of the first malformed line or unknown code. */
export function parseCorpus(file: string, text: string): CorpusExample[] {
  const out: CorpusExample[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file}:${i + 1}`;
    const tab = raw.indexOf('\t');
    if (tab === -1) throw new Error(`corpus ${where}: expected "category_code<TAB>text"`);
    const category = raw.slice(0, tab).trim();
    const fields = raw
      .slice(tab + 1)
      .split('\t')
      .map((f) => f.trim());
    if (!categoryByCode(category)) throw new Error(`corpus ${where}: unknown category "${category}"`);
    if (fields.length > 2 || fields.some((f) => f === ''))
      throw new Error(`corpus ${where}: expected one non-empty text, or a subject and a body, after the tab`);
    const example: CorpusExample = { category, text: fields.at(-1)!, file, line: i + 1 };
    if (fields.length === 2) example.subject = fields[0];
    out.push(example);
  });
  return out;
}

/** Reads every *.tsv file of the corpus folder (sorted by name, so the order is stable). */
export function loadCorpus(dir = corpusDir()): CorpusExample[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.tsv'))
    .sort();
  if (files.length === 0) throw new Error(`corpus: no .tsv files in ${dir}`);
  return files.flatMap((f) => parseCorpus(f, readFileSync(path.join(dir, f), 'utf8')));
}
