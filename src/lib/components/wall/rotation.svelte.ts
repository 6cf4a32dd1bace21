// The wall's scene clock: which scene shows, how far through it is, pause and resume. A rune class, so
// the header and the map follow it; time comes from an injectable clock so tests need no waiting.

export interface RotationOptions {
  /** Seconds each scene stays. */
  seconds: number;
  /** Clock in ms, for tests. */
  now?: () => number;
  /** How often progress moves, ms (default 250). */
  tickMs?: number;
}

export class SceneRotation {
  /** Index of the scene on show (always < count once count > 0). */
  index = $state(0);
  /** Share of the current scene's time that has passed, 0–1. */
  progress = $state(0);
  /** True while the operator paused the rotation. */
  paused = $state(false);
  /** How many scenes there are; the rotation wraps around. */
  count = $state(1);

  readonly #seconds: number;
  readonly #now: () => number;
  readonly #tickMs: number;
  #startedAt = 0;
  #elapsedAtPause = 0;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(opts: RotationOptions) {
    this.#seconds = opts.seconds;
    this.#now = opts.now ?? (() => performance.now());
    this.#tickMs = opts.tickMs ?? 250;
  }

  /** Starts the clock (browser only). */
  start(): void {
    if (this.#timer) return;
    this.#startedAt = this.#now();
    this.#timer = setInterval(this.tick, this.#tickMs);
  }

  destroy(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Sets how many scenes there are (they change as hot-spots come and go); keeps the index in range. */
  setCount(count: number): void {
    this.count = Math.max(1, count);
    if (this.index >= this.count) this.#show(0);
  }

  toggle(): void {
    if (this.paused) this.resume();
    else this.pause();
  }

  pause(): void {
    if (this.paused) return;
    this.#elapsedAtPause = this.#now() - this.#startedAt;
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.#startedAt = this.#now() - this.#elapsedAtPause;
    this.paused = false;
  }

  /** Shows the next scene now (and restarts its time). */
  next(): void {
    this.#show((this.index + 1) % this.count);
  }

  /** Moves progress and the scene on; public for tests (the timer calls it). */
  tick = (): void => {
    if (this.paused) return;
    const elapsed = this.#now() - this.#startedAt;
    const length = this.#seconds * 1000;
    if (elapsed >= length) this.next();
    else this.progress = elapsed / length;
  };

  #show(index: number): void {
    this.index = index;
    this.progress = 0;
    this.#startedAt = this.#now();
    this.#elapsedAtPause = 0;
  }
}
