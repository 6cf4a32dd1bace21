import { describe, expect, it } from 'vitest';
import { createRandom } from '../../domain/random';
import { DEFAULT_RULES } from '../../domain/rules.defaults';
import { defaultCalendar, isWorkingDay } from '../../domain/work-calendar';
import { behaviourAt } from '../unit-profiles';
import { historyDay, historyDays, shanghaiDate } from './calendar';
import { caseStory, nextStep } from './planner';
import type { CaseRow } from './recorder';
import { historyToken, metresBetween } from './recorder';
import { BACKGROUND_RULES, STORIES, storyDay } from './stories';

describe('the calendar of the past', () => {
  it('knows the Spring Festival, National Day and their make-up working days', () => {
    expect(historyDay('2026-02-17', 's').holiday).toBe('春节');
    expect(historyDay('2026-10-03', 's').holiday).toBe('国庆节');
    expect(historyDay('2026-02-28', 's').makeUp).toBe(true);
    const festival = historyDay('2026-02-17', 's').volume;
    const ordinary = historyDay('2026-03-17', 's').volume;
    expect(festival).toBeLessThan(ordinary * 0.7);
  });

  it('rains more in summer, with a few rainstorms, the same every time for a seed', () => {
    const days = historyDays(new Date('2026-12-07T04:00:00Z'), 395, 'citynerve');
    expect(days).toHaveLength(396);
    expect(shanghaiDate(days[days.length - 1].start)).toBe('2026-12-07');
    const storms = days.filter((d) => d.rain === 'storm');
    expect(storms.length).toBeGreaterThanOrEqual(3);
    expect(storms.length).toBeLessThan(25);
    expect(storms.every((d) => d.month >= 5 && d.month <= 11)).toBe(true);
    const rainy = (m: number[]) =>
      days.filter((d) => m.includes(d.month) && d.rain !== 'none').length /
      days.filter((d) => m.includes(d.month)).length;
    expect(rainy([6, 7])).toBeGreaterThan(rainy([12, 1]));
    expect(historyDays(new Date('2026-12-07T04:00:00Z'), 395, 'citynerve')).toEqual(days);
  });
});

describe('the planted stories', () => {
  it('fire only rules the sensor families have, with readings that pass them', () => {
    const ids = new Set(Object.values(DEFAULT_RULES).flatMap((rs) => rs.map((r) => r.id)));
    for (const rules of Object.values(BACKGROUND_RULES))
      for (const r of rules) expect(ids.has(r.ruleId)).toBe(true);
    const rnd = createRandom('stories');
    const items = historyDays(new Date('2026-09-30T04:00:00Z'), 120, 'x').flatMap((d) => storyDay(d, rnd));
    for (const it of items) if (it.kind === 'alarm') expect(ids.has(it.ruleId)).toBe(true);
    const noise = items.filter((i) => i.kind === 'call' && i.story.topic === 'noise');
    const night = noise.filter((i) => {
      const h = (i.at.getUTCHours() + 8) % 24;
      return h >= 20 || h < 4;
    });
    expect(night.length / noise.length).toBeGreaterThan(0.9);
    const lift = items.filter((i) => i.kind === 'alarm' && i.story.topic === 'elevator');
    expect(lift.length).toBeGreaterThan(12); // about weekly over 17 weeks
    expect(STORIES.map((s) => s.topic).sort()).toEqual(['elevator', 'flood', 'food', 'manhole', 'noise']);
  });
});

describe('the case story planner', () => {
  const cal = defaultCalendar();
  const base = (over: Partial<CaseRow>): CaseRow =>
    ({
      id: 1,
      code: 'GD-1',
      title: 't',
      description: null,
      category: 'city.sanitation',
      state: 'dispatched',
      priority: 2,
      source: 'hotline',
      triage: false,
      address: null,
      streetId: 1,
      gridCellId: 1,
      departmentId: 5,
      sensorId: null,
      lon: 121.4,
      lat: 31.2,
      reports: 1,
      dispatchedAt: null,
      signDueAt: null,
      signedAt: null,
      allowedHours: 24,
      dueSoonAt: null,
      dueAt: null,
      pendingExtensionHours: null,
      resolvedAt: null,
      rating: null,
      closedAt: null,
      version: 1,
      createdAt: new Date(),
      updatedAt: new Date(),
      ...over,
    }) as CaseRow;

  it('has the unit sign on a working day, and a slow unit sign later than a quick one', () => {
    const now = new Date('2026-03-13T09:00:00Z'); // Friday 17:00 in Shanghai
    const quick = caseStory(
      createRandom('q'),
      { ...behaviourAt('xuhui-water', 's', 0), signDelayHours: 0.3, lateSignShare: 0, returnShare: 0 },
      false,
    );
    const slow = caseStory(
      createRandom('q'),
      { ...behaviourAt('xuhui-water', 's', 0), signDelayHours: 3, lateSignShare: 0, returnShare: 0 },
      false,
    );
    const a = nextStep(
      base({}),
      quick,
      now,
      createRandom('r'),
      cal,
      () => null,
      () => null,
    )!;
    const b = nextStep(
      base({}),
      slow,
      now,
      createRandom('r'),
      cal,
      () => null,
      () => null,
    )!;
    expect(a.cmd.action).toBe('sign');
    expect(a.by).toBe('staff');
    expect(b.at.getTime()).toBeGreaterThan(a.at.getTime());
    const day = Math.floor((a.at.getTime() + 8 * 3600_000) / 86_400_000);
    expect(isWorkingDay(cal, day)).toBe(true);
  });

  it('reopens an unsatisfied case once and closes the others', () => {
    const s = caseStory(
      createRandom('u'),
      { ...behaviourAt('jingan-housing', 's', 0), ratings: [0, 0, 1] },
      false,
    );
    const rnd = createRandom('r');
    const now = new Date('2026-03-10T03:00:00Z');
    expect(
      nextStep(
        base({ state: 'called_back' }),
        s,
        now,
        rnd,
        cal,
        () => null,
        () => null,
      )!.cmd,
    ).toMatchObject({ action: 'rate', rating: 'unsatisfied' });
    expect(
      nextStep(
        base({ state: 'rated', rating: 'unsatisfied' }),
        s,
        now,
        rnd,
        cal,
        () => null,
        () => null,
      )!.cmd.action,
    ).toBe('reopen');
    expect(
      nextStep(
        base({ state: 'called_back' }),
        s,
        now,
        rnd,
        cal,
        () => null,
        () => null,
      )!.cmd,
    ).toMatchObject({ rating: 'partly' });
    expect(
      nextStep(
        base({ state: 'rated', rating: 'partly' }),
        s,
        now,
        rnd,
        cal,
        () => null,
        () => null,
      )!.cmd.action,
    ).toBe('close');
    expect(
      nextStep(
        base({ state: 'closed' }),
        s,
        now,
        rnd,
        cal,
        () => null,
        () => null,
      ),
    ).toBeNull();
  });
});

describe('the recorder helpers', () => {
  it('measure metres like a map and give each ticket its own stable token', () => {
    expect(metresBetween(121.4, 31.2, 121.4, 31.201)).toBeCloseTo(111.2, 0);
    expect(historyToken('s', 1)).toBe(historyToken('s', 1));
    expect(historyToken('s', 1)).not.toBe(historyToken('s', 2));
    expect(historyToken('s', 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
