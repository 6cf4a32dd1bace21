// Chinese strings of text the system writes (alarm cases), grid cell names and the month/date pickers
// (spread into zh-CN.ts).

export const textZhCN = {
  'systemText.alarmCase.title': '{family}告警：{rule}（{sensor}）',
  'systemText.alarmCase.description': '传感器 {sensor} 触发“{rule}”（{level}），系统自动立案',
  'systemText.level.critical': '严重',
  'systemText.level.warning': '警告',
  'gridCell.name': '{street} 第 {n} 号网格',
  'gridCell.unnamed': '第 {n} 号网格',
  'picker.month': '月份',
  'picker.year': '年份',
  'picker.day': '日',
  'picker.previousMonth': '上个月',
  'picker.nextMonth': '下个月',
  'picker.yearValue': '{y}年',
  'picker.monthValue': '{m}月',
  'picker.dayValue': '{d}日',
} as const;
