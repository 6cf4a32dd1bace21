import { describe, expect, it } from 'vitest';
import type { SystemText } from '../api/system-text';
import { findIdLeaks } from '../../../tests/e2e/support/id-leaks';
import { caseDescription, caseTitle, eventNote, parseOldNote, parseOldTitle } from './system-text';
import { en } from './messages/en';
import { LANGS } from './translate';

const text: SystemText = {
  key: 'alarm_case',
  family: 'manhole',
  rule: 'manhole.tilt',
  sensor: 'MH-000123',
  alarm: 125,
  critical: true,
};
const HAN = /\p{sc=Han}/u;

describe('rendering system text', () => {
  const title = '井盖告警：井盖倾斜（MH-000123）';
  const description = '传感器 MH-000123 触发“井盖倾斜”（严重），系统自动立案';

  it('renders the title and note in English with no Chinese left and no ids', () => {
    const c = { title, description, systemText: text };
    expect(caseTitle('en', c)).toBe('Manhole cover alarm: Manhole cover tilted (MH-000123)');
    const d = caseDescription('en', c)!;
    expect(d).toMatch(/sensor MH-000123 raised “Manhole cover tilted” \(critical\)/);
    expect(eventNote('en', { note: description, data: { text } })).toBe(d);
    for (const s of [caseTitle('en', c), d]) {
      expect(s).not.toMatch(HAN);
      expect(findIdLeaks(s)).toEqual([]);
    }
  });

  it('leaves a citizen’s title, description and note as written', () => {
    const c = { title: '阳曲路12号门口路面有个大坑', description: '电动车经过差点摔倒', systemText: null };
    expect(caseTitle('en', c)).toBe(c.title);
    expect(caseDescription('en', c)).toBe(c.description);
    expect(eventNote('en', { note: '已联系施工方', data: { category: 'x' } })).toBe('已联系施工方');
    expect(caseDescription('en', { description: null })).toBeNull();
  });
});

describe('cases stored before the neutral form', () => {
  const oldTitle = '电梯告警：elevator.trapped（EL-000042）';
  const oldNote = '由告警 #125 自动立案：传感器 EL-000042，规则 elevator.trapped，严重';

  it('reads the facts back from the old wording', () => {
    expect(parseOldTitle(oldTitle)).toEqual({
      family: 'elevator',
      rule: 'elevator.trapped',
      sensor: 'EL-000042',
    });
    expect(parseOldNote(oldNote)).toMatchObject({ alarm: 125, critical: true, sensor: 'EL-000042' });
    expect(parseOldNote('由告警 #7 自动立案：传感器 GS-1，规则 gas.smoke，警告')?.critical).toBe(false);
    expect(parseOldTitle('井盖告警：井盖倾斜（MH-000123）')).toBeNull();
  });

  it('renders them in either language without the ids', () => {
    for (const lang of LANGS) {
      const t = caseTitle(lang, { title: oldTitle });
      const d = caseDescription(lang, { description: oldNote })!;
      const n = eventNote(lang, { note: oldNote, data: null })!;
      expect([t, d, n].flatMap(findIdLeaks)).toEqual([]);
      expect(t).toContain('EL-000042');
    }
    expect(caseTitle('en', { title: oldTitle })).toBe(
      `${en['family.elevator']} alarm: ${en['rule.elevator.trapped']} (EL-000042)`,
    );
  });
});

describe('findIdLeaks', () => {
  it('finds rule ids, grid cell codes and alarm row ids', () => {
    expect(
      findIdLeaks('规则 elevator.trapped，网格 xh-kangjian-24281.6232，由告警 #125 / alarm #9 立案'),
    ).toEqual(['elevator.trapped', 'xh-kangjian-24281.6232', '告警 #125', 'alarm #9']);
    expect(findIdLeaks('井盖倾斜 MH-000123 · 3.5 m · e.g. nothing')).toEqual([]);
  });
});
