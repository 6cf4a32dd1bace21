import { describe, expect, it } from 'vitest';
import { placeAddress, type PlaceableStreet } from './address-placement';

const streets: PlaceableStreet[] = [
  { id: 1, name: '临汾路街道', roads: ['临汾路', '阳曲路', '汾西路'] },
  { id: 2, name: '彭浦新村街道', roads: ['临汾路', '平顺路', '共康路'] },
  { id: 3, name: '龙华街道', roads: ['龙华中路', '龙华西路', '龙吴路'] },
  { id: 4, name: '长桥街道', roads: ['罗秀路', '龙吴路'] },
];

describe('address placement', () => {
  it('places by a road that only one street has', () => {
    expect(placeAddress('阳曲路 520 弄 3 号', streets)?.id).toBe(1);
    expect(placeAddress('上海市徐汇区罗秀路88号门口', streets)?.id).toBe(4);
  });

  it('places by the street name even when the road is shared', () => {
    expect(placeAddress('彭浦新村街道临汾路 1000 号', streets)?.id).toBe(2);
  });

  it('leaves a road shared by two streets unplaced', () => {
    expect(placeAddress('龙吴路 2000 号', streets)).toBeNull();
    expect(placeAddress('临汾路 300 号', streets)).toBeNull();
  });

  it('leaves an address it cannot read unplaced', () => {
    expect(placeAddress('我家楼下', streets)).toBeNull();
    expect(placeAddress(' ', streets)).toBeNull();
  });

  it('prefers the longer road name', () => {
    expect(placeAddress('龙华西路 100 号', [...streets, { id: 5, name: 'X', roads: ['龙华'] }])?.id).toBe(3);
  });
});
