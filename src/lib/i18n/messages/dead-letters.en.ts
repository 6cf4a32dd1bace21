// English strings of the dead-letter counters and retention (spread into en.ts).
import type { deadLettersZhCN } from './dead-letters.zh-CN';

export const deadLettersEn: Record<keyof typeof deadLettersZhCN, string> = {
  'deadLetters.tally.counted': 'Counted',
  'deadLetters.tally.kept': 'Kept',
  'deadLetters.tally.last': 'Last',
  'deadLetters.tally.totalCounted': 'Counted in all',
  'deadLetters.tally.totalKept': 'Rows kept',
  'deadLetters.retention':
    'Dead letters are kept for {days} days, at most {maxRows} rows; older ones are deleted every minute and stay counted. Only the first 4096 characters of a payload are kept.',
};
