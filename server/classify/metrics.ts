// Classification quality figures for the classifier's tests and benchmark: accuracy, per-class precision,
// recall and F1, and their unweighted mean (macro-F1), which a few large classes cannot dominate. Pure.

/** Quality figures of one class. */
export interface ClassMetrics {
  /** The class label. */
  label: string;
  /** Correct predictions of the class / all predictions of it (0 when never predicted). */
  precision: number;
  /** Correct predictions of the class / all true members of it (0 when it has none). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  /** How many true members the class has. */
  support: number;
}

/** Quality figures of a set of predictions. */
export interface Evaluation {
  /** Number of items. */
  n: number;
  /** Share of items predicted correctly. */
  accuracy: number;
  /** Unweighted mean F1 over the labels. */
  macroF1: number;
  /** Figures per label, in the order of the labels. */
  perClass: ClassMetrics[];
}

/**
 * Scores predictions against the truth. `labels` are the classes averaged over (default: those in the
 * truth, sorted); a null prediction ("no answer") is simply wrong.
 */
export function evaluate(
  truth: readonly string[],
  predicted: readonly (string | null)[],
  labels: readonly string[] = [...new Set(truth)].sort(),
): Evaluation {
  if (truth.length !== predicted.length)
    throw new Error(`evaluate: ${truth.length} true labels but ${predicted.length} predictions`);
  const tp = new Map<string, number>();
  const predictedCount = new Map<string, number>();
  const support = new Map<string, number>();
  let correct = 0;
  truth.forEach((t, i) => {
    const p = predicted[i];
    support.set(t, (support.get(t) ?? 0) + 1);
    if (p !== null) predictedCount.set(p, (predictedCount.get(p) ?? 0) + 1);
    if (p === t) {
      correct++;
      tp.set(t, (tp.get(t) ?? 0) + 1);
    }
  });
  const perClass = labels.map((label): ClassMetrics => {
    const hits = tp.get(label) ?? 0;
    const guessed = predictedCount.get(label) ?? 0;
    const members = support.get(label) ?? 0;
    const precision = guessed ? hits / guessed : 0;
    const recall = members ? hits / members : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support: members };
  });
  const macroF1 = perClass.length ? perClass.reduce((s, c) => s + c.f1, 0) / perClass.length : 0;
  return { n: truth.length, accuracy: truth.length ? correct / truth.length : 0, macroF1, perClass };
}

/**
 * A deterministic stratified split: from each class, every k-th item (k = round(1 / share); the k-th,
 * 2k-th, …) goes to the held-out part. Returns the indices of both parts.
 */
export function stratifiedSplit(
  labels: readonly string[],
  share: number,
): { train: number[]; test: number[] } {
  const step = Math.max(2, Math.round(1 / share));
  const seen = new Map<string, number>();
  const train: number[] = [];
  const test: number[] = [];
  labels.forEach((label, i) => {
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    (k % step === step - 1 ? test : train).push(i);
  });
  return { train, test };
}
