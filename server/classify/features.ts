// Features of a complaint text for the classifier: character n-grams of Chinese (robust to the typos and
// colloquial wording of hotline transcripts), words of two or more characters from a dictionary segmenter
// (jieba with its bundled dictionary: long formal posts are better told apart by their terms, 社保 or
// 入学, than by character pairs), lowercased ASCII words, and numbers collapsed to one symbol so "3号楼"
// and "15号楼" share their features. Deterministic; the segmenter's dictionary is loaded once.
import { createRequire } from 'node:module';

/** Which n-grams to extract. */
export interface FeatureOptions {
  /** Longest n-gram, 1–3 (default 2: characters and character pairs). */
  maxN?: number;
  /** Also dictionary words of two or more Chinese characters, as "w:<word>" (default true). */
  words?: boolean;
  /**
   * Single characters count only in texts up to this length (default: any length): in a long post the
   * frequent ones drown its words.
   */
  unigramsUpTo?: number;
}

interface Segmenter {
  cut(text: string, hmm?: boolean): string[];
}
let segmenter: Segmenter | undefined;

/** The jieba segmenter with its bundled dictionary (no download), loaded on first use (~0.2 s). */
function jieba(): Segmenter {
  if (!segmenter) {
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): Segmenter } };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    segmenter = Jieba.withDict(dict);
  }
  return segmenter;
}

const HAN_WORD_RE = /^\p{sc=Han}{2,}$/u;

const DIGIT = '0';
const HAN_RE = /\p{sc=Han}/u;
const LATIN_RE = /[a-z]/;
const DIGIT_RE = /[0-9]/;

/**
 * The text as phrases (split at punctuation and whitespace), each a list of units: one Chinese character,
 * one ASCII word, or "0" for a number.
 */
export function units(text: string): string[][] {
  const phrases: string[][] = [];
  let phrase: string[] = [];
  let word = '';
  let inNumber = false;
  const endPhrase = () => {
    if (phrase.length) phrases.push(phrase);
    phrase = [];
  };
  const endWord = () => {
    if (word) phrase.push(word);
    word = '';
  };
  // NFKC folds full-width letters and digits (Ａ１) into ASCII.
  for (const ch of text.normalize('NFKC').toLowerCase()) {
    if (DIGIT_RE.test(ch)) {
      endWord();
      if (!inNumber) phrase.push(DIGIT);
      inNumber = true;
      continue;
    }
    // A decimal point inside a number belongs to it (2.5米).
    if (ch === '.' && inNumber) continue;
    inNumber = false;
    if (LATIN_RE.test(ch)) word += ch;
    else if (HAN_RE.test(ch)) {
      endWord();
      phrase.push(ch);
    } else {
      endWord();
      endPhrase();
    }
  }
  endWord();
  endPhrase();
  return phrases;
}

/** Feature counts of a text: n-grams of units within each phrase (a lone number is no feature). */
export function features(text: string, opts: FeatureOptions = {}): Map<string, number> {
  const maxN = Math.min(3, Math.max(1, opts.maxN ?? 2));
  const out = new Map<string, number>();
  const add = (f: string) => out.set(f, (out.get(f) ?? 0) + 1);
  const withUnigrams = text.length <= (opts.unigramsUpTo ?? Infinity);
  for (const phrase of units(text)) {
    for (let i = 0; i < phrase.length; i++) {
      if (phrase[i] !== DIGIT && withUnigrams) add(phrase[i]);
      // Units are joined with a space only where a Latin word takes part, so n-grams stay unambiguous.
      let gram = phrase[i];
      for (let n = 2; n <= maxN && i + n <= phrase.length; n++) {
        const next = phrase[i + n - 1];
        gram += LATIN_RE.test(next[0]) || LATIN_RE.test(gram[gram.length - 1]) ? ` ${next}` : next;
        add(gram);
      }
    }
  }
  if (opts.words ?? true) {
    // Without the HMM guesser, so only dictionary words count: unknown names and typos stay character n-grams.
    for (const w of jieba().cut(text.normalize('NFKC'), false)) if (HAN_WORD_RE.test(w)) add(`w:${w}`);
  }
  return out;
}
