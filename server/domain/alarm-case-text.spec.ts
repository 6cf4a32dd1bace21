import { describe, expect, it } from 'vitest';
import { caseTitle } from '../../src/lib/i18n/system-text';
import { LANGS } from '../../src/lib/i18n/translate';
import { findIdLeaks } from '../../tests/e2e/support/id-leaks';
import { alarmCaseText } from './alarm-case-text';
import { DEFAULT_RULES } from './rules.defaults';

const facts = {
  alarmId: 125,
  familyName: '井盖',
  ruleId: 'manhole.tilt',
  sensorCode: 'MH-000123',
  critical: true,
};
const HAN = /\p{sc=Han}/u;

describe('alarmCaseText', () => {
  it('words the Chinese title and note without the rule id or the alarm row id', () => {
    const w = alarmCaseText(facts);
    expect(w.title).toBe('井盖告警：井盖倾斜（MH-000123）');
    expect(w.note).toContain('井盖倾斜');
    expect(w.note).toContain('严重');
    for (const s of [w.title, w.description, w.note]) expect(findIdLeaks(s)).toEqual([]);
  });

  it('keeps every fact in the neutral form', () => {
    expect(alarmCaseText({ ...facts, critical: false }).text).toEqual({
      key: 'alarm_case',
      family: 'manhole',
      rule: 'manhole.tilt',
      sensor: 'MH-000123',
      alarm: 125,
      critical: false,
    });
  });
});

describe('every default rule', () => {
  it('names every default rule in both languages, never by its id', () => {
    for (const rules of Object.values(DEFAULT_RULES))
      for (const rule of rules)
        for (const lang of LANGS) {
          const t = alarmCaseText({ ...facts, ruleId: rule.id }).text;
          const s = caseTitle(lang, { title: '', systemText: t });
          expect(findIdLeaks(s), `${lang} ${rule.id}`).toEqual([]);
          expect(HAN.test(s), `${lang} ${rule.id}`).toBe(lang === 'zh-CN');
        }
  });
});
