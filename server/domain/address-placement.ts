// Placing a caller's address without a map point: find the one street (街道/镇) the address names, by the
// street's own name or by a road that runs only through it. Pure; an address that fits no street, or a
// road shared by several streets, stays unplaced for an officer to place by hand.

/** What placement knows of a street. */
export interface PlaceableStreet {
  id: number;
  /** Chinese name, e.g. "临汾路街道" or "彭浦镇". */
  name: string;
  /** Roads in or along the street. */
  roads: readonly string[];
}

/** The street an address names, or null when it names none or several. */
export function placeAddress<S extends PlaceableStreet>(address: string, streets: readonly S[]): S | null {
  const text = address.replace(/\s+/g, '');
  if (text.length < 2) return null;
  const byName = streets.filter((s) => text.includes(s.name));
  if (byName.length === 1) return byName[0];
  // A road named in the address (longest match first: "龙华西路" before "龙华路").
  const hits = new Map<number, number>();
  for (const s of streets) {
    for (const road of s.roads)
      if (text.includes(road)) hits.set(s.id, Math.max(hits.get(s.id) ?? 0, road.length));
  }
  if (hits.size === 0) return null;
  const best = Math.max(...hits.values());
  const top = streets.filter((s) => hits.get(s.id) === best);
  return top.length === 1 ? top[0] : null;
}
