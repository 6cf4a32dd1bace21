import { describe, expect, it } from 'vitest';
import { loadConfig, wallScheduleOf } from './config';

describe('wall settings', () => {
  it('rotate city, districts and hot-spots every 20 s, stale after 10 s, by default', () => {
    expect(wallScheduleOf(loadConfig({}))).toEqual({
      scenes: ['city', 'districts', 'hotspots'],
      seconds: 20,
      staleSeconds: 10,
    });
  });

  it('take a comma list of scene kinds and numbers in range', () => {
    const c = loadConfig({
      WALL_SCENES: 'streets, city',
      WALL_SCENE_SECONDS: '45',
      WALL_STALE_SECONDS: '30',
    });
    expect(wallScheduleOf(c)).toEqual({ scenes: ['streets', 'city'], seconds: 45, staleSeconds: 30 });
  });

  it('stop the start with a message naming a bad value', () => {
    expect(() => loadConfig({ WALL_SCENES: 'city,moon' })).toThrow(
      /WALL_SCENES: a comma list of city, districts/,
    );
    expect(() => loadConfig({ WALL_SCENE_SECONDS: '1' })).toThrow(/WALL_SCENE_SECONDS/);
    expect(() => loadConfig({ WALL_STALE_SECONDS: 'soon' })).toThrow(/WALL_STALE_SECONDS/);
  });
});

describe('ingest settings', () => {
  it('refuse a batch size past the point where the state update scans every sensor', () => {
    expect(loadConfig({ INGEST_BATCH_MAX: '2000' }).INGEST_BATCH_MAX).toBe(2000);
    expect(() => loadConfig({ INGEST_BATCH_MAX: '10000' })).toThrow(/INGEST_BATCH_MAX: at most 5000/);
  });
});
