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

describe('reading history settings', () => {
  it('make daily partitions a week ahead by default, 1 to 90 days', () => {
    expect(loadConfig({}).READINGS_PARTITIONS_AHEAD_DAYS).toBe(7);
    expect(loadConfig({ READINGS_PARTITIONS_AHEAD_DAYS: '90' }).READINGS_PARTITIONS_AHEAD_DAYS).toBe(90);
    for (const bad of ['0', '91', '2.5', 'soon']) {
      expect(() => loadConfig({ READINGS_PARTITIONS_AHEAD_DAYS: bad }), bad).toThrow(
        /READINGS_PARTITIONS_AHEAD_DAYS/,
      );
    }
  });
});

describe('demo history settings', () => {
  it('default to 13 months of 180 calls a day, and 0 days turns the past off', () => {
    const c = loadConfig({});
    expect(c.DEMO_HISTORY_DAYS).toBe(395);
    expect(c.DEMO_HISTORY_CALLS_PER_DAY).toBe(180);
    expect(loadConfig({ DEMO_HISTORY_DAYS: '0' }).DEMO_HISTORY_DAYS).toBe(0);
  });

  it('stop the start with a message naming a bad value', () => {
    expect(() => loadConfig({ DEMO_HISTORY_DAYS: '-1' })).toThrow(
      /DEMO_HISTORY_DAYS: must be 0 \(no history\)/,
    );
    expect(() => loadConfig({ DEMO_HISTORY_DAYS: '12.5' })).toThrow(
      /DEMO_HISTORY_DAYS: must be a whole number/,
    );
    expect(() => loadConfig({ DEMO_HISTORY_DAYS: 'lots' })).toThrow(/DEMO_HISTORY_DAYS/);
    expect(() => loadConfig({ DEMO_HISTORY_CALLS_PER_DAY: '0' })).toThrow(
      /DEMO_HISTORY_CALLS_PER_DAY: at least 1/,
    );
    expect(() => loadConfig({ DEMO_HISTORY_CALLS_PER_DAY: '99999' })).toThrow(
      /DEMO_HISTORY_CALLS_PER_DAY: at most/,
    );
  });
});

describe('shared store settings', () => {
  it('take an optional redis:// or rediss:// REDIS_URL', () => {
    expect(loadConfig({}).REDIS_URL).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://cache.internal:6379/0' }).REDIS_URL).toBe(
      'redis://cache.internal:6379/0',
    );
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache:6380' }).REDIS_URL).toBe('rediss://:pw@cache:6380');
  });

  it('stop the start with a message naming a bad REDIS_URL', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://cache:6379' })).toThrow(
      /REDIS_URL: must start with redis:\/\/ or rediss:\/\//,
    );
    expect(() => loadConfig({ REDIS_URL: 'redis://' })).toThrow(/REDIS_URL/);
  });
});

describe('embedded database settings', () => {
  it('give PGlite a 32 MB buffer pool by default, 1 to 4096 MB', () => {
    expect(loadConfig({}).PGLITE_SHARED_BUFFERS_MB).toBe(32);
    expect(loadConfig({ PGLITE_SHARED_BUFFERS_MB: '128' }).PGLITE_SHARED_BUFFERS_MB).toBe(128);
    expect(() => loadConfig({ PGLITE_SHARED_BUFFERS_MB: '0' })).toThrow(
      /PGLITE_SHARED_BUFFERS_MB: at least 1 MB/,
    );
    expect(() => loadConfig({ PGLITE_SHARED_BUFFERS_MB: '1.5' })).toThrow(
      /PGLITE_SHARED_BUFFERS_MB: must be a whole number of MB/,
    );
  });
});

describe('edge settings', () => {
  it('let no one frame the wall by default, and the listed origins when set', () => {
    expect(loadConfig({}).WALL_FRAME_ANCESTORS).toEqual([]);
    expect(
      loadConfig({ WALL_FRAME_ANCESTORS: 'https://portal.example.gov  http://10.0.0.5:8080' })
        .WALL_FRAME_ANCESTORS,
    ).toEqual(['https://portal.example.gov', 'http://10.0.0.5:8080']);
    expect(() => loadConfig({ WALL_FRAME_ANCESTORS: "https://a.example 'unsafe-inline'" })).toThrow(
      /WALL_FRAME_ANCESTORS: a space-separated list of origins/,
    );
    expect(() => loadConfig({ WALL_FRAME_ANCESTORS: '*' })).toThrow(/WALL_FRAME_ANCESTORS/);
  });

  it('bound a PostgreSQL statement to 30 s by default', () => {
    expect(loadConfig({}).DB_STATEMENT_TIMEOUT_MS).toBe(30_000);
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '0' }).DB_STATEMENT_TIMEOUT_MS).toBe(0);
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: 'long' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
  });
});
