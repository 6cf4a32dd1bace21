import { describe, expect, it } from 'vitest';
import { en } from './messages/en';
import { zhCN } from './messages/zh-CN';
import { formatDateTime, formatTime, translate, translateCode } from './translate';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  it('have the same placeholders for every key in both languages', () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(zhCN[key]));
      expect(en[key].length, key).toBeGreaterThan(0);
    }
  });

  it('label every sensor family and state in Chinese', () => {
    for (const family of ['manhole', 'hydrant', 'elevator', 'drain', 'streetlight', 'gas']) {
      expect(translateCode('zh-CN', 'family.', family)).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(translate('zh-CN', 'state.alarm')).toBe('告警');
    expect(translate('en', 'state.offline')).toBe('Offline');
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('zh-CN', 'connection.staleSince', { time: '12:00:05' })).toBe('最后更新 12:00:05');
    expect(translate('en', 'connection.staleSince', { time: '12:00:05' })).toBe('stale since 12:00:05');
    expect(translate('en', 'connection.staleSince')).toBe('stale since {time}');
  });

  it('falls back to the raw code for unknown families and reading fields', () => {
    expect(translateCode('zh-CN', 'family.', 'manhole')).toBe('井盖');
    expect(translateCode('zh-CN', 'family.', 'beehive')).toBe('beehive');
    expect(translateCode('zh-CN', 'reading.', 'tilt_deg')).toBe('倾角（°）');
    expect(translateCode('en', 'reading.', 'mystery_x')).toBe('mystery_x');
  });
});

describe('formatting', () => {
  it('prints 24-hour local times and date-times', () => {
    const d = new Date(2024, 0, 2, 3, 4, 5);
    expect(formatTime(d)).toBe('03:04:05');
    expect(formatDateTime(d)).toBe('2024-01-02 03:04:05');
    expect(formatDateTime('not a date')).toBe('not a date');
  });
});
