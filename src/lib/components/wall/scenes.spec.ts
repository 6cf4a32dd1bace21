import { describe, expect, it } from 'vitest';
import type { WallHotspot, WallSchedule } from '$lib/api/wall';
import { areasOf, boundsOf, buildScenes, CITY_BOUNDS, scheduleOf } from './scenes';

const server: WallSchedule = { scenes: ['city', 'districts', 'hotspots'], seconds: 20, staleSeconds: 10 };

describe('scheduleOf', () => {
  it('takes the server schedule when the URL says nothing', () => {
    expect(scheduleOf(server, new URLSearchParams())).toEqual(server);
  });

  it('lets the kiosk URL choose scenes, seconds and the stale threshold', () => {
    const s = scheduleOf(server, new URLSearchParams('scenes=streets,city&seconds=5&stale=4'));
    expect(s).toEqual({ scenes: ['streets', 'city'], seconds: 5, staleSeconds: 4 });
  });

  it('ignores overrides it cannot use', () => {
    const s = scheduleOf(server, new URLSearchParams('scenes=moon,,&seconds=0.5&stale=-1'));
    expect(s).toEqual(server);
    expect(scheduleOf(server, new URLSearchParams('scenes=moon,city')).scenes).toEqual(['city']);
  });
});

describe('boundsOf and areasOf', () => {
  it('boxes polygons and multipolygons', () => {
    expect(
      boundsOf({
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [1, 2],
              [3, 5],
              [2, 1],
            ],
          ],
          [[[0, 4]]],
        ],
      }),
    ).toEqual([0, 1, 3, 5]);
    expect(boundsOf(null)).toBeNull();
  });

  it('skips features without a code or geometry', () => {
    const areas = areasOf([
      {
        type: 'Feature',
        properties: { code: 'xuhui', name: '徐汇区', nameEn: 'Xuhui' },
        geometry: { type: 'Point', coordinates: [121.4, 31.2] },
      },
      { type: 'Feature', properties: { name: 'no code' }, geometry: { type: 'Point', coordinates: [0, 0] } },
      { type: 'Feature', properties: { code: 'nothing' }, geometry: null },
    ]);
    expect(areas).toEqual([
      { code: 'xuhui', name: '徐汇区', nameEn: 'Xuhui', bounds: [121.4, 31.2, 121.4, 31.2] },
    ]);
  });
});

describe('buildScenes', () => {
  const districts = [
    { code: 'xuhui', name: '徐汇区', nameEn: 'Xuhui', bounds: [121.39, 31.1, 121.47, 31.22] as const },
    { code: 'jingan', name: '静安区', nameEn: "Jing'an", bounds: [121.42, 31.21, 121.48, 31.32] as const },
  ].map((d) => ({ ...d, bounds: [...d.bounds] as [number, number, number, number] }));
  const hotspot: WallHotspot = {
    ix: 3,
    iy: 7,
    count: 12,
    baseline: 2,
    trend: 'new',
    streets: [{ name: '天平路街道', nameEn: 'Tianping Road' }],
    center: [121.445, 31.205],
    bounds: [121.44, 31.2, 121.45, 31.21],
  };

  it('follows the schedule: city, each district, each hot-spot close up', () => {
    const scenes = buildScenes(['city', 'districts', 'hotspots'], {
      districts,
      streets: [],
      hotspots: [hotspot],
    });
    expect(scenes.map((s) => s.id)).toEqual(['city', 'district:xuhui', 'district:jingan', 'hotspot:3:7']);
    expect(scenes[0].bounds).toEqual(CITY_BOUNDS);
    const close = scenes[3];
    expect(close.name).toEqual({ zh: '天平路街道', en: 'Tianping Road' });
    // The close-up shows the cell with its surroundings.
    expect(close.bounds[0]).toBeLessThan(hotspot.bounds[0]);
    expect(close.bounds[3]).toBeGreaterThan(hotspot.bounds[3]);
  });

  it('leaves out kinds with nothing to show and never ends up empty', () => {
    expect(buildScenes(['hotspots'], { districts, streets: [], hotspots: [] }).map((s) => s.id)).toEqual([
      'city',
    ]);
    expect(buildScenes(['city', 'city'], { districts, streets: [], hotspots: [] })).toHaveLength(1);
  });
});
