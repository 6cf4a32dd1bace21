// A replay of the operations picture (issue 19) as the map page drives it: pick an instant in the retained
// window, play from it at 1×, 60×, 600× or 3600×, pause, step, jump to the next change, return to live.
// Each instant shown is the server's exact rebuild (/api/replay/state); while playing, the replay clock
// runs at the chosen speed and the picture follows it one request at a time, so a slow answer makes the
// picture lag the clock, never queue up behind it.
/* eslint-disable svelte/prefer-svelte-reactivity -- every Date here is replaced whole (held in $state.raw),
   never changed in place, so SvelteDate's per-field reactivity has nothing to track. */
import type { ReplayBookmark, ReplayBookmarkList, ReplayState, ReplayWindow } from '$lib/api/replay';

export const REPLAY_SPEEDS = [1, 60, 600, 3600] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

/** How often, in real time, a playing replay asks for the picture at its clock. */
const PLAY_TICK_MS = 1000;

export type ReplayFetch = (url: string, init?: RequestInit) => Promise<Response>;

export class ReplaySession {
  /** True from open() until live(). */
  active = $state(false);
  /** The replayed window's ends (ISO); null until known. */
  window = $state.raw<ReplayWindow>(null);
  /** The instant the replay clock is at. */
  clock = $state.raw<Date | null>(null);
  /** The picture shown (the instant it is of is `state.at`). */
  state = $state.raw<ReplayState | null>(null);
  /** Bumped whenever `state` changes, for consumers that patch in place. */
  version = $state(0);
  playing = $state(false);
  speed = $state<ReplaySpeed>(60);
  /** The last refusal or failure, shown to the user; null when all is well. */
  error = $state<string | null>(null);
  loading = $state(false);
  /** The window's bookmarks, earliest first. */
  bookmarks = $state.raw<ReplayBookmark[]>([]);
  /** The start of an interval being bookmarked (its end is the instant shown when saved); null: none. */
  markedFrom = $state.raw<Date | null>(null);

  #fetch: ReplayFetch;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastTick = 0;
  #inFlight = false;
  /** Instants asked for while a request was out: only the last one is fetched next. */
  #wanted: Date | null = null;

  constructor(fetchFn: ReplayFetch = (u, init) => fetch(u, init)) {
    this.#fetch = fetchFn;
  }

  /** Opens the replay at `at` (default: an hour ago, or the window's start if that is later). */
  async open(at?: Date): Promise<void> {
    this.active = true;
    this.error = null;
    const res = await this.#fetch('/api/replay/window');
    if (!res.ok) {
      this.error = await messageOf(res);
      return;
    }
    this.window = (await res.json()) as ReplayWindow;
    if (!this.window) {
      this.error = null;
      return;
    }
    const start = at ?? new Date(Math.max(Date.now() - 3600_000, Date.parse(this.window.from)));
    await Promise.all([this.seek(start), this.loadBookmarks()]);
  }

  async loadBookmarks(): Promise<void> {
    const res = await this.#fetch('/api/replay/bookmarks');
    if (res.ok) this.bookmarks = ((await res.json()) as ReplayBookmarkList).bookmarks;
  }

  /** Bookmarks the instant shown (or the interval from `markedFrom` to it) with `note`; true when saved. */
  async bookmark(note: string): Promise<boolean> {
    const shown = this.state ? new Date(this.state.at) : null;
    if (!shown) return false;
    const marked = this.markedFrom;
    const [from, to] = marked && marked.getTime() < shown.getTime() ? [marked, shown] : [shown, null];
    const res = await this.#fetch('/api/replay/bookmarks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: from.toISOString(), to: to?.toISOString() ?? null, note }),
    });
    if (!res.ok) {
      this.error = await messageOf(res);
      return false;
    }
    this.markedFrom = null;
    this.error = null;
    await this.loadBookmarks();
    return true;
  }

  async removeBookmark(id: number): Promise<void> {
    const res = await this.#fetch(`/api/replay/bookmarks/${id}`, { method: 'DELETE' });
    if (!res.ok) this.error = await messageOf(res);
    await this.loadBookmarks();
  }

  /** Starts (or, called again, drops) an interval at the instant shown. */
  toggleMark(): void {
    this.markedFrom = this.markedFrom ? null : this.state ? new Date(this.state.at) : null;
  }

  /** Shows the picture at `at` (clamped to the window). */
  async seek(at: Date): Promise<void> {
    const clamped = this.#clamp(at);
    this.clock = clamped;
    await this.#show(clamped);
  }

  /** Moves the clock by `ms` (negative: back) and shows that instant. */
  step(ms: number): Promise<void> {
    this.pause();
    return this.seek(new Date((this.clock ?? new Date()).getTime() + ms));
  }

  /** Jumps to the first change after the shown instant; stays put when nothing changed since. */
  async next(): Promise<void> {
    this.pause();
    const from = this.clock ?? new Date();
    const res = await this.#fetch(`/api/replay/next?at=${encodeURIComponent(from.toISOString())}`);
    if (!res.ok) {
      this.error = await messageOf(res);
      return;
    }
    const { next } = (await res.json()) as { next: string | null };
    if (next) await this.seek(new Date(next));
  }

  play(speed: ReplaySpeed = this.speed): void {
    this.speed = speed;
    if (this.playing) return;
    this.playing = true;
    this.#lastTick = performance.now();
    this.#timer = setInterval(() => this.#tick(), PLAY_TICK_MS);
  }

  pause(): void {
    this.playing = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Back to the live picture. */
  live(): void {
    this.pause();
    this.active = false;
    this.state = null;
    this.clock = null;
    this.error = null;
  }

  destroy(): void {
    this.pause();
  }

  #tick(): void {
    const now = performance.now();
    const elapsed = now - this.#lastTick;
    this.#lastTick = now;
    if (!this.clock) return;
    const next = new Date(this.clock.getTime() + elapsed * this.speed);
    const end = this.window ? Date.now() : next.getTime();
    // Playing into the present stops at it: the present is the live view's.
    if (next.getTime() >= end) {
      this.pause();
      this.clock = new Date(end);
    } else this.clock = next;
    void this.#show(this.clock);
  }

  #clamp(at: Date): Date {
    if (!this.window) return at;
    const from = Date.parse(this.window.from);
    return new Date(Math.min(Date.now(), Math.max(from, at.getTime())));
  }

  async #show(at: Date): Promise<void> {
    if (this.#inFlight) {
      this.#wanted = at;
      return;
    }
    this.#inFlight = true;
    this.loading = true;
    try {
      let target: Date | null = at;
      while (target) {
        this.#wanted = null;
        const res = await this.#fetch(`/api/replay/state?at=${encodeURIComponent(target.toISOString())}`);
        if (!this.active) return;
        if (res.ok) {
          this.state = (await res.json()) as ReplayState;
          this.version++;
          this.error = null;
        } else {
          this.error = await messageOf(res);
          this.pause();
        }
        target = this.#wanted;
      }
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.pause();
    } finally {
      this.#inFlight = false;
      this.loading = false;
    }
  }
}

async function messageOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: string };
    return body.message ?? `HTTP ${res.status}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}
