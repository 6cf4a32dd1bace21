import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromSnapshot, stateOf } from '$lib/streams/sensor-table';
import type { ReplayState } from '$lib/api/replay';
import { applyReplayStates, replayTableOf } from './replay-table';
import { ReplaySession } from './replay-session.svelte';

const live = () =>
  fromSnapshot({
    seq: 9,
    count: 4,
    origin: [121.4, 31.2],
    ids: Int32Array.from([3, 5, 8, 13]),
    offsets: new Float32Array(8),
    familyIndex: new Uint8Array(4),
    states: Uint8Array.from([2, 0, 1, 0]),
    families: ['manhole'],
  });

describe('the replay table', () => {
  it('draws the live sensors with the instant’s states and leaves the live table alone', () => {
    const table = live();
    const replay = replayTableOf(table);
    expect(replay.counts).toEqual({ normal: 4, warning: 0, alarm: 0, offline: 0 });
    expect(applyReplayStates(replay, [5, 13, 99], [3, 2, 2])).toBe(1);
    expect([3, 5, 8, 13].map((id) => stateOf(replay, id))).toEqual([0, 3, 0, 2]);
    expect(replay.counts).toEqual({ normal: 2, warning: 0, alarm: 1, offline: 1 });
    expect([3, 5, 8, 13].map((id) => stateOf(table, id))).toEqual([2, 0, 1, 0]);
    // The next instant replaces the whole picture, it does not add to it.
    applyReplayStates(replay, [8], [1]);
    expect([3, 5, 8, 13].map((id) => stateOf(replay, id))).toEqual([0, 0, 1, 0]);
  });
});

describe('a replay session', () => {
  const t0 = Date.parse('2026-11-03T07:40:00Z');
  let asked: string[];
  let answers: ((r: Response) => void)[];
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const stateAt = (at: string) => ({ at, sensors: { ids: [], states: [] } }) as unknown as ReplayState;

  beforeEach(() => {
    vi.useFakeTimers({ now: t0 + 10 * 86_400_000 });
    asked = [];
    answers = [];
  });
  afterEach(() => vi.useRealTimers());

  /** A session whose state requests wait until the test answers them. */
  function session() {
    return new ReplaySession((url) => {
      asked.push(url);
      if (url === '/api/replay/window') return Promise.resolve(json({ from: new Date(t0).toISOString() }));
      if (url === '/api/replay/bookmarks') return Promise.resolve(json({ bookmarks: [] }));
      if (url.startsWith('/api/replay/next'))
        return Promise.resolve(json({ next: '2026-11-03T08:00:00.000Z' }));
      return new Promise<Response>((resolve) => answers.push(resolve));
    });
  }
  const atOf = (url: string) => decodeURIComponent(url.split('at=')[1]);

  it('opens at the instant asked for, clamped to the window, and shows what the server rebuilt', async () => {
    const s = session();
    const opened = s.open(new Date(t0 - 3600_000));
    await vi.advanceTimersByTimeAsync(0);
    expect(atOf(asked.find((u) => u.includes('/state'))!)).toBe(new Date(t0).toISOString());
    answers[0](json(stateAt(new Date(t0).toISOString())));
    await opened;
    expect(s.active).toBe(true);
    expect(s.state?.at).toBe(new Date(t0).toISOString());
    expect(s.version).toBe(1);
  });

  it('plays at its speed one request at a time: a slow answer makes it skip instants, never queue them', async () => {
    const s = session();
    const opened = s.open(new Date(t0));
    await vi.advanceTimersByTimeAsync(0);
    answers.shift()!(json(stateAt(new Date(t0).toISOString())));
    await opened;
    s.play(3600);
    await vi.advanceTimersByTimeAsync(1000); // one tick: the clock is an hour on, one request out
    expect(asked.filter((u) => u.includes('/state')).length).toBe(2);
    expect(atOf(asked.at(-1)!)).toBe(new Date(t0 + 3600_000).toISOString());
    await vi.advanceTimersByTimeAsync(3000); // three more ticks while that request is out: none sent
    expect(asked.filter((u) => u.includes('/state')).length).toBe(2);
    answers.shift()!(json(stateAt(new Date(t0 + 3600_000).toISOString())));
    await vi.advanceTimersByTimeAsync(0);
    // Then only the newest instant is fetched: four hours on.
    expect(asked.filter((u) => u.includes('/state')).length).toBe(3);
    expect(atOf(asked.at(-1)!)).toBe(new Date(t0 + 4 * 3600_000).toISOString());
    s.pause();
    answers.shift()!(json(stateAt(new Date(t0 + 4 * 3600_000).toISOString())));
    await vi.advanceTimersByTimeAsync(5000);
    expect(asked.filter((u) => u.includes('/state')).length).toBe(3);
    expect(s.state?.at).toBe(new Date(t0 + 4 * 3600_000).toISOString());
  });

  it('jumps to the next change, shows a refusal, and returns to live', async () => {
    const s = session();
    const opened = s.open(new Date(t0));
    await vi.advanceTimersByTimeAsync(0);
    answers.shift()!(json(stateAt(new Date(t0).toISOString())));
    await opened;
    const jumped = s.next();
    await vi.advanceTimersByTimeAsync(0);
    expect(atOf(asked.at(-1)!)).toBe('2026-11-03T08:00:00.000Z');
    answers.shift()!(json({ message: 'at 2026-11-03T08:00:00.000Z is before the first checkpoint' }, 404));
    await jumped;
    expect(s.error).toMatch(/before the first checkpoint/);
    s.live();
    expect(s.active).toBe(false);
    expect(s.state).toBeNull();
  });
});
