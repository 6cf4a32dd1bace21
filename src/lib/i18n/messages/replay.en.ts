// English strings of replay: the time bar on the map (spread into en.ts).
import type { replayZhCN } from './replay.zh-CN';

export const replayEn: Record<keyof typeof replayZhCN, string> = {
  'replay.open': 'Replay',
  'replay.openTitle': 'See the city as it was at any moment of the past',
  'replay.banner': 'Replay — {time}',
  'replay.live': 'Return to live',
  'replay.play': 'Play',
  'replay.pause': 'Pause',
  'replay.speed': 'Speed',
  'replay.back1h': 'Back 1 hour',
  'replay.back1m': 'Back 1 minute',
  'replay.fwd1m': 'Forward 1 minute',
  'replay.fwd1h': 'Forward 1 hour',
  'replay.next': 'Next event',
  'replay.instant': 'Replay instant',
  'replay.slider': 'Replay timeline',
  'replay.window': 'Replayable: {from} to now',
  'replay.none': 'Nothing to replay yet (the first checkpoint has not been taken)',
  'replay.cases': 'Open cases {count}',
  'replay.overdue': 'Overdue {count}',
  'replay.dueSoon': 'Due soon {count}',
  'replay.loading': 'Loading…',
  'replay.error': 'Cannot replay: {message}',
};
