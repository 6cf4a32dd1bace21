import { describe, expect, it } from 'vitest';
import {
  NONE,
  formatDate,
  formatDateTime,
  formatDistance,
  formatDuration,
  formatHours,
  formatInteger,
  formatMonth,
  formatNumber,
  formatPercent,
  formatRelative,
  formatTime,
} from './format';

// 08:05:07 on 1 March 2025 in Shanghai, whatever zone the test machine runs in.
const at = new Date('2025-03-01T08:05:07+08:00');
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('dates and times', () => {
  it('writes days the way each language does, in the city’s zone', () => {
    expect(formatDate('zh-CN', at)).toBe('2025年3月1日');
    expect(formatDate('en', at)).toBe('1 Mar 2025');
    // 23:30 UTC is already the next day in Shanghai.
    expect(formatDate('zh-CN', '2025-02-28T23:30:00Z')).toBe('2025年3月1日');
  });

  it('writes a day and minute, seconds only when asked', () => {
    expect(formatDateTime('zh-CN', at)).toBe('2025年3月1日 08:05');
    expect(formatDateTime('en', at)).toBe('1 Mar 2025, 08:05');
    expect(formatDateTime('en', at.toISOString(), { seconds: true })).toBe('1 Mar 2025, 08:05:07');
    expect(formatDateTime('zh-CN', at.getTime(), { seconds: true })).toBe('2025年3月1日 08:05:07');
  });

  it('writes clock times on a 24-hour clock in both languages', () => {
    expect(formatTime('zh-CN', at)).toBe('08:05:07');
    expect(formatTime('en', at)).toBe('08:05:07');
    expect(formatTime('en', new Date('2025-03-01T23:59:00+08:00'), { seconds: false })).toBe('23:59');
    expect(formatTime('en', new Date('2025-03-01T00:00:00+08:00'), { seconds: false })).toBe('00:00');
  });

  it('writes months', () => {
    expect(formatMonth('zh-CN', '2025-03')).toBe('2025年3月');
    expect(formatMonth('en', '2025-12')).toBe('Dec 2025');
    expect(formatMonth('en', 'soon')).toBe('soon');
  });

  it('shows a dash for missing or unreadable instants', () => {
    for (const bad of [null, undefined, '', 'not a date', Number.NaN]) {
      expect(formatDate('zh-CN', bad)).toBe(NONE);
      expect(formatDateTime('en', bad)).toBe(NONE);
      expect(formatTime('en', bad)).toBe(NONE);
    }
  });
});

describe('durations', () => {
  it('gives the two largest parts, rounded down to the minute', () => {
    expect(formatDuration('zh-CN', 3 * HOUR + 20 * MIN + 59_000)).toBe('3小时20分');
    expect(formatDuration('en', 3 * HOUR + 20 * MIN)).toBe('3 h 20 min');
    expect(formatDuration('zh-CN', 3 * HOUR)).toBe('3小时');
    expect(formatDuration('en', 3 * HOUR)).toBe('3 h');
    expect(formatDuration('zh-CN', 45 * MIN)).toBe('45分钟');
    expect(formatDuration('en', 45 * MIN)).toBe('45 min');
    expect(formatDuration('zh-CN', 53 * HOUR + 59 * MIN)).toBe('2天5小时');
    expect(formatDuration('en', 48 * HOUR + 10 * MIN)).toBe('2 d');
  });

  it('says "under a minute" for short spans and shows negative spans by their size', () => {
    expect(formatDuration('zh-CN', 10_000)).toBe('不到1分钟');
    expect(formatDuration('en', 0)).toBe('< 1 min');
    expect(formatDuration('en', -90 * MIN)).toBe('1 h 30 min');
    expect(formatDuration('en', Number.NaN)).toBe(NONE);
  });

  it('writes working hours', () => {
    expect(formatHours('zh-CN', 8)).toBe('8小时');
    expect(formatHours('en', 2.5)).toBe('2.5 h');
  });

  it('says how long ago or ahead an instant is', () => {
    expect(formatRelative('zh-CN', at.getTime() - 3 * HOUR, at)).toBe('3小时前');
    expect(formatRelative('en', at.getTime() - 3 * HOUR, at)).toBe('3 hours ago');
    expect(formatRelative('en', at.getTime() + 5 * 86_400_000, at)).toBe('in 5 days');
    expect(formatRelative('zh-CN', at.getTime() + 20 * MIN, at)).toBe('20分钟后');
    expect(formatRelative('en', 'nonsense', at)).toBe(NONE);
  });
});

describe('numbers', () => {
  it('groups integers by thousands and rounds', () => {
    expect(formatInteger('zh-CN', 1234567)).toBe('1,234,567');
    expect(formatInteger('en', 12345.6)).toBe('12,346');
    expect(formatInteger('en', 0)).toBe('0');
    expect(formatInteger('en', null)).toBe(NONE);
  });

  it('writes decimals with at most (or exactly) the digits asked for', () => {
    expect(formatNumber('en', 3.14159)).toBe('3.14');
    expect(formatNumber('zh-CN', 2)).toBe('2');
    expect(formatNumber('en', 2, 1, { fixed: true })).toBe('2.0');
    expect(formatNumber('en', 12345.678, 1)).toBe('12,345.7');
  });

  it('writes shares as percentages', () => {
    expect(formatPercent('zh-CN', 0.875)).toBe('87.5%');
    expect(formatPercent('en', 1, 0)).toBe('100%');
    expect(formatPercent('en', 0.0004)).toBe('0.0%');
    expect(formatPercent('en', null)).toBe(NONE);
  });

  it('writes distances in metres, and kilometres from 1 km', () => {
    expect(formatDistance('zh-CN', 120)).toBe('120米');
    expect(formatDistance('en', 120.4)).toBe('120 m');
    expect(formatDistance('en', 1530)).toBe('1.5 km');
    expect(formatDistance('zh-CN', 1530)).toBe('1.5公里');
  });
});
