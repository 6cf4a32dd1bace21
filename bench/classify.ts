// Benchmark: the complaint classifier. Trains on the shipped corpus (timed), then classifies an external
// evaluation set — citizen messages from another city's government message board, labelled with seven
// top-level labels — mapping each predicted category to its group's board label, and reports accuracy,
// macro-F1, per-label F1 and throughput. The evaluation set is never trained on.
// Run: npm run bench:classify   (EVAL_DIR: folder of hotline-messages-zh.csv, default ../shared/eval)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { trainClassifier } from '../server/classify/classifier';
import { loadCorpus } from '../server/classify/corpus';
import { evaluate, stratifiedSplit } from '../server/classify/metrics';
import { CATEGORY_GROUPS, categoryByCode } from '../server/domain/case-categories';
import { machine, mdTable, root, writeSection } from './support';

const EVAL_DIR = path.resolve(root, process.env.EVAL_DIR ?? '../shared/eval');
const EVAL_FILE = path.join(EVAL_DIR, 'hotline-messages-zh.csv');
const TRIAGE_BELOW = 0.45; // the server's default TRIAGE_BELOW
const HEADING = '## Complaint classifier';

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const fmt = (x: number, digits = 3) => x.toFixed(digits);
const ms = (t0: number) => performance.now() - t0;

const startedAt = new Date();
const corpus = loadCorpus();
const rows: [string, string][] = [];

// Training time: best of five, as at server start (the first run also pays for JIT warm-up).
const trainTimes: number[] = [];
let classifier = trainClassifier(corpus);
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  classifier = trainClassifier(corpus);
  trainTimes.push(ms(t0));
}
rows.push([
  'corpus (examples / categories)',
  `${corpus.length} / ${new Set(corpus.map((e) => e.category)).size}`,
]);
rows.push([
  'training on the whole corpus (ms, best of 5 / worst)',
  `${fmt(Math.min(...trainTimes), 0)} / ${fmt(Math.max(...trainTimes), 0)}`,
]);

// The corpus's own held-out figures, as in classifier.spec.ts (every 5th example of each category).
const split = stratifiedSplit(
  corpus.map((e) => e.category),
  0.2,
);
const heldOutModel = trainClassifier(split.train.map((i) => corpus[i]));
const heldOut = evaluate(
  split.test.map((i) => corpus[i].category),
  split.test.map((i) => heldOutModel.classify(corpus[i].text, corpus[i].subject).category),
);
rows.push([
  `corpus held-out 20 %: accuracy / macro-F1 (${new Set(corpus.map((e) => e.category)).size} categories)`,
  `${fmt(heldOut.accuracy)} / ${fmt(heldOut.macroF1)}`,
]);

const boardLabels = [...new Set(CATEGORY_GROUPS.flatMap((g) => (g.boardLabel ? [g.boardLabel] : [])))].sort();
const boardLabelOf = (category: string): string | null => {
  const group = CATEGORY_GROUPS.find((g) => g.code === categoryByCode(category)?.group);
  return group?.boardLabel ?? null;
};
let method = '';
if (!existsSync(EVAL_FILE)) {
  console.log(`bench:classify: no evaluation set at ${EVAL_FILE} (set EVAL_DIR); reporting training only.`);
  rows.push(['evaluation set', `not found (${path.relative(root, EVAL_FILE)})`]);
} else {
  const [header, ...records] = parseCsv(readFileSync(EVAL_FILE, 'utf8').replace(/^\uFEFF/, ''));
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i === -1) throw new Error(`${EVAL_FILE}: no column "${name}"`);
    return i;
  };
  const [subject, detail, label] = [col('留言主题'), col('留言详情'), col('一级分类')];
  const items = records.map((r) => ({
    subject: r[subject].trim(),
    text: r[detail].trim(),
    label: r[label].trim(),
  }));

  const predictions = items.map((it) => classifier.classify(it.text, it.subject));
  const predicted = predictions.map((p) => boardLabelOf(p.category));
  const result = evaluate(
    items.map((it) => it.label),
    predicted,
    boardLabels,
  );
  const sure = items.map((_, i) => i).filter((i) => predictions[i].confidence >= TRIAGE_BELOW);
  const sureCorrect = sure.filter((i) => predicted[i] === items[i].label).length;
  const noLabel = predicted.filter((p) => p === null).length;
  // The board has no "other" label: the same answers when 其他 yields to the next category that has one.
  const fallback = evaluate(
    items.map((it) => it.label),
    predictions.map((p) => p.top.map((t) => boardLabelOf(t.category)).find((l) => l !== null) ?? null),
    boardLabels,
  );

  // Throughput: classify the whole set repeatedly for at least a second.
  let done = 0;
  const t0 = performance.now();
  while (ms(t0) < 1000) {
    for (const it of items) classifier.classify(it.text, it.subject);
    done += items.length;
  }
  const perSecond = done / (ms(t0) / 1000);
  const meanChars = items.reduce((s, it) => s + it.subject.length + it.text.length, 0) / items.length;

  rows.push([`evaluation set: messages (mean characters)`, `${items.length} (${fmt(meanChars, 0)})`]);
  rows.push(['evaluation: accuracy over the 7 board labels', `**${fmt(result.accuracy)}**`]);
  rows.push(['evaluation: macro-F1 over the 7 board labels', `**${fmt(result.macroF1)}**`]);
  for (const c of result.perClass)
    rows.push([
      `… ${c.label} (${c.support}): F1 / precision / recall`,
      `${fmt(c.f1)} / ${fmt(c.precision)} / ${fmt(c.recall)}`,
    ]);
  rows.push(['… predicted 其他 or 政务服务 (no board label, counted wrong)', String(noLabel)]);
  const confusions = new Map<string, number>();
  items.forEach((it, i) => {
    if (predicted[i] === it.label) return;
    const key = `${it.label} → ${predicted[i] ?? '其他'}`;
    confusions.set(key, (confusions.get(key) ?? 0) + 1);
  });
  const worst = [...confusions].sort((a, b) => b[1] - a[1]).slice(0, 5);
  rows.push([
    '… largest confusions (true → predicted: count)',
    worst.map(([k, n]) => `${k}: ${n}`).join('; '),
  ]);
  rows.push([
    '… with 其他 replaced by the next of the top 3 that has a board label: accuracy / macro-F1',
    `${fmt(fallback.accuracy)} / ${fmt(fallback.macroF1)}`,
  ]);
  rows.push([
    `… confidence ≥ ${TRIAGE_BELOW} (would be dispatched): share / accuracy`,
    `${fmt(sure.length / items.length, 2)} / ${sure.length ? fmt(sureCorrect / sure.length) : '–'}`,
  ]);
  rows.push(['classifications / s (one core)', Math.round(perSecond).toLocaleString('en-US')]);
  method =
    `Evaluation set: \`${path.relative(root, EVAL_FILE)}\` (never trained on), classified as subject = 留言主题 ` +
    '(weighted) and text = 留言详情; a predicted category counts as its group\u2019s board label (`boardLabel` in ' +
    'case-categories.ts), 其他 and 政务服务 (online government services, which a board files under the ' +
    'service concerned) as none.';
}

const table = mdTable(rows);
console.log(table);
const body = [
  HEADING,
  '',
  `\`npm run bench:classify\` — ${startedAt.toISOString().slice(0, 10)}, ${machine()}.`,
  'The classifier (character n-gram and jieba word softmax regression, server/classify) trained on the hand-written corpus',
  `(server/classify/corpus, ${corpus.length} lines). ${method}`,
  '',
  'Reading it. The corpus is short Shanghai hotline speech written for this project; the evaluation',
  'messages are long, formal posts from another city, so the evaluation measures transfer, not fit.',
  'The largest confusions row shows where the misses go. Issue 18 asks for 0.80 accuracy and macro-F1 here;',
  'words, dropping single characters from long texts, the weighted subject, 241 formal posts and 40 keyword lines written for the',
  'corpus took it from 0.657 / 0.664 to 0.731 / 0.742; 230 more formal posts (housing, city, utilities, market, transport',
  'and the rest in balance) to the figures below: held-out up, the evaluation about level. The gap to the target is',
  'not closed by more of the same writing; it needs another approach (see issue 18).',
  '',
  table,
  '',
].join('\n');
writeSection(HEADING, body);
