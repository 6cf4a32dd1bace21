import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { mqttClientIdOf } from '../ingest/runtime';
import { adapterKindOf, checkAdapterSettings, clusterNameOf } from './realtime-adapter';

describe('how live events cross nodes', () => {
  it('needs nothing on the embedded database: one process, no adapter', () => {
    expect(adapterKindOf(loadConfig({}))).toBe('none');
  });

  it('uses the PostgreSQL adapter on a real database, and Redis Streams once REDIS_URL is set', () => {
    const pg = 'postgres://u@db:5432/city';
    expect(adapterKindOf(loadConfig({ DATABASE_URL: pg }))).toBe('postgres');
    expect(adapterKindOf(loadConfig({ DATABASE_URL: pg, REDIS_URL: 'redis://cache:6379' }))).toBe('redis');
    expect(adapterKindOf(loadConfig({ DATABASE_URL: pg, REALTIME_ADAPTER: 'none' }))).toBe('none');
  });

  it('refuses a choice that cannot work, naming the missing setting', () => {
    expect(checkAdapterSettings(loadConfig({ REALTIME_ADAPTER: 'postgres' }))).toMatch(/needs DATABASE_URL/);
    expect(checkAdapterSettings(loadConfig({ REALTIME_ADAPTER: 'redis' }))).toMatch(/needs REDIS_URL/);
    expect(() => loadConfig({ REALTIME_ADAPTER: 'kafka' })).toThrow(/REALTIME_ADAPTER/);
    expect(() => loadConfig({ REDIS_URL: 'http://cache' })).toThrow(/REDIS_URL: must start with redis/);
  });
});

describe('node identity', () => {
  it('names each node on one host apart, so their MQTT sessions do not take each other over', () => {
    const a = mqttClientIdOf(loadConfig({ PORT: '3001' }));
    const b = mqttClientIdOf(loadConfig({ PORT: '3002' }));
    expect(a).not.toBe(b);
    expect(mqttClientIdOf(loadConfig({ NODE_ID: 'ops-2:a' }))).toBe('citynerve-ops-2-a');
  });

  it('keeps NODE_ID, the leader retry and the drain grace within sense', () => {
    expect(() => loadConfig({ NODE_ID: 'has space' })).toThrow(/NODE_ID/);
    expect(() => loadConfig({ LEADER_RETRY_MS: '50' })).toThrow(/LEADER_RETRY_MS/);
    expect(loadConfig({}).DRAIN_GRACE_MS).toBe(2000);
  });
});

describe('cluster name', () => {
  it('is the same for every node of one database and differs between databases, without credentials', () => {
    const a = clusterNameOf('postgres://ops:secret@db.internal:5432/district_xuhui');
    expect(clusterNameOf('postgres://other:pw@db.internal/district_xuhui')).toBe(a);
    expect(clusterNameOf('postgres://ops:secret@db.internal:5432/district_jingan')).not.toBe(a);
    expect(a).not.toContain('secret');
    expect(clusterNameOf(undefined)).toBe('local');
  });
});
