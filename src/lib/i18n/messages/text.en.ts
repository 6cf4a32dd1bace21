// English strings of text the system writes (alarm cases), grid cell names and the month/date pickers
// (spread into en.ts).
import type { textZhCN } from './text.zh-CN';

export const textEn: Record<keyof typeof textZhCN, string> = {
  'systemText.alarmCase.title': '{family} alarm: {rule} ({sensor})',
  'systemText.alarmCase.description': 'Opened automatically: sensor {sensor} raised “{rule}” ({level})',
  'systemText.level.critical': 'critical',
  'systemText.level.warning': 'warning',
  'gridCell.name': '{street}, grid cell {n}',
  'gridCell.unnamed': 'Grid cell {n}',
  'picker.month': 'Month',
  'picker.year': 'Year',
  'picker.day': 'Day',
  'picker.previousMonth': 'Previous month',
  'picker.nextMonth': 'Next month',
  'picker.yearValue': '{y}',
  'picker.monthValue': '{m}',
  'picker.dayValue': '{d}',
};
