// Chinese strings of the dead-letter counters and retention (spread into zh-CN.ts).

export const deadLettersZhCN = {
  'deadLetters.tally.counted': '累计',
  'deadLetters.tally.kept': '保留',
  'deadLetters.tally.last': '最近一次',
  'deadLetters.tally.totalCounted': '累计总数',
  'deadLetters.tally.totalKept': '保留条数',
  'deadLetters.retention':
    '保留最近 {days} 天、至多 {maxRows} 条死信；更早的条目每分钟清理一次，累计数不变。载荷只保留前 4096 个字符。',
};
