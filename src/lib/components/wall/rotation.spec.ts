import { describe, expect, it } from 'vitest';
import { SceneRotation } from './rotation.svelte';

function clocked(seconds: number) {
  let t = 0;
  const r = new SceneRotation({ seconds, now: () => t });
  r.setCount(3);
  r.start();
  r.destroy(); // the test drives tick() itself
  return { r, advance: (ms: number) => ((t += ms), r.tick()) };
}

describe('SceneRotation', () => {
  it('moves to the next scene when its time is up and wraps around', () => {
    const { r, advance } = clocked(10);
    advance(5_000);
    expect(r.index).toBe(0);
    expect(r.progress).toBeCloseTo(0.5);
    advance(5_000);
    expect(r.index).toBe(1);
    expect(r.progress).toBe(0);
    advance(10_000);
    advance(10_000);
    expect(r.index).toBe(0);
  });

  it('stands still while paused and continues where it stopped', () => {
    const { r, advance } = clocked(10);
    advance(4_000);
    r.toggle();
    expect(r.paused).toBe(true);
    advance(60_000);
    expect(r.index).toBe(0);
    expect(r.progress).toBeCloseTo(0.4);
    r.toggle();
    advance(5_000);
    expect(r.index).toBe(0);
    expect(r.progress).toBeCloseTo(0.9);
    advance(1_000);
    expect(r.index).toBe(1);
  });

  it('keeps the index in range when scenes go away', () => {
    const { r, advance } = clocked(1);
    advance(1_000);
    advance(1_000);
    expect(r.index).toBe(2);
    r.setCount(2);
    expect(r.index).toBe(0);
    r.setCount(0);
    expect(r.count).toBe(1);
  });
});
