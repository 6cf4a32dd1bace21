// z/x/y of a tile request, checked: integers, zoom 0–22, x and y inside that zoom's grid.
export type TileAddress = { z: number; x: number; y: number } | { error: string };

const INT = /^\d{1,8}$/;

export function parseTileAddress(z: string, x: string, y: string): TileAddress {
  const yDigits = y.replace(/\.(pbf|mvt)$/, '');
  for (const [name, v] of [
    ['z', z],
    ['x', x],
    ['y', yDigits],
  ] as const)
    if (!INT.test(v)) return { error: `tile ${name} must be a whole number, got "${v.slice(0, 20)}"` };
  const [zi, xi, yi] = [Number(z), Number(x), Number(yDigits)];
  if (zi > 22) return { error: `tile zoom must be 0–22, got ${zi}` };
  const size = 2 ** zi;
  if (xi >= size || yi >= size)
    return { error: `tile x and y must be below ${size} at zoom ${zi}, got ${xi}/${yi}` };
  return { z: zi, x: xi, y: yi };
}
