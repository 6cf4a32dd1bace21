// Multinomial logistic (softmax) regression over sparse feature vectors, trained by stochastic gradient
// descent with per-feature L2 decay. Its outputs are probabilities, which is what the triage threshold
// needs: text with unfamiliar features stays near the prior and so gets a low confidence.

/** A sparse vector: parallel feature indices and values. */
export interface SparseVector {
  /** Feature indices (into the vocabulary). */
  idx: number[];
  /** Their values. */
  val: number[];
}

/** Training settings of the softmax regression. */
export interface SoftmaxOptions {
  /** Passes over the examples. */
  epochs: number;
  /** Initial learning rate (decays as 1 / (1 + epoch)). */
  learningRate: number;
  /** L2 penalty per update on the touched weights. */
  l2: number;
  /** Seed of the example order. */
  seed: number;
}

export class SoftmaxRegression {
  /** Weights, row-major: feature j's weight for class k at j * classes + k (one flat array is cache-friendly). */
  private weights: Float64Array;
  private readonly bias: Float64Array;

  constructor(
    readonly classes: number,
    features = 1024,
  ) {
    this.bias = new Float64Array(classes);
    this.weights = new Float64Array(Math.max(1, features) * classes);
  }

  /** Makes room for feature indices up to `j` (the vocabulary grows when corrections bring new n-grams). */
  private ensure(j: number): void {
    const needed = (j + 1) * this.classes;
    if (needed <= this.weights.length) return;
    const grown = new Float64Array(Math.max(needed, this.weights.length * 2));
    grown.set(this.weights);
    this.weights = grown;
  }

  /** Class probabilities for a vector; a temperature above 1 spreads them, below 1 sharpens them. */
  probabilities(x: SparseVector, temperature = 1): Float64Array {
    const c = this.classes;
    const w = this.weights;
    const z = Float64Array.from(this.bias);
    for (let i = 0; i < x.idx.length; i++) {
      const row = x.idx[i] * c;
      if (row >= w.length) continue; // a feature no example has trained yet
      const v = x.val[i];
      for (let k = 0; k < c; k++) z[k] += v * w[row + k];
    }
    let max = -Infinity;
    for (let k = 0; k < this.classes; k++) max = Math.max(max, z[k]);
    let sum = 0;
    for (let k = 0; k < this.classes; k++) {
      z[k] = Math.exp((z[k] - max) / temperature);
      sum += z[k];
    }
    for (let k = 0; k < this.classes; k++) z[k] /= sum;
    return z;
  }

  /**
   * One gradient step on one example; returns the probability the model gave the true class before it.
   * Without `withBias` only the example's own features move, so the step changes nothing for text that
   * shares none of them (used for corrections, which must not tilt every later answer).
   */
  step(x: SparseVector, label: number, rate: number, l2: number, withBias = true): number {
    const p = this.probabilities(x);
    const before = p[label];
    p[label] -= 1; // now the gradient of the loss with respect to the scores
    if (withBias) for (let k = 0; k < this.classes; k++) this.bias[k] -= rate * p[k];
    const c = this.classes;
    for (let i = 0; i < x.idx.length; i++) {
      this.ensure(x.idx[i]);
      const w = this.weights;
      const row = x.idx[i] * c;
      const v = x.val[i];
      for (let k = 0; k < c; k++) w[row + k] -= rate * (p[k] * v + l2 * w[row + k]);
    }
    return before;
  }

  /** Trains on the examples in a seeded shuffled order. */
  fit(xs: readonly SparseVector[], labels: readonly number[], opts: SoftmaxOptions): void {
    const order = xs.map((_, i) => i);
    let state = opts.seed >>> 0 || 1;
    const random = () => {
      // xorshift32: reproducible training without a clock or Math.random.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 2 ** 32;
    };
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const rate = opts.learningRate / (1 + epoch);
      for (const i of order) this.step(xs[i], labels[i], rate, opts.l2);
    }
  }
}
