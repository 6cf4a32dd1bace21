import { describe, expect, it } from 'vitest';
import { assertPostgisAvailable, openPostgres } from './client';

describe('opening a real PostgreSQL', () => {
  it('names the missing PostGIS extension and how to install it', async () => {
    const noPostgis = { rows: async <T>() => [{ n: 0 }] as T[] };
    await expect(assertPostgisAvailable(noPostgis)).rejects.toThrow(
      /no "postgis" extension.*apt-get install/,
    );
    const withPostgis = { rows: async <T>() => [{ n: 1 }] as T[] };
    await expect(assertPostgisAvailable(withPostgis)).resolves.toBeUndefined();
  });

  it('names the host and port it could not reach', async () => {
    // Port 9 on loopback: nothing listens there, the connection is refused at once.
    await expect(openPostgres('postgres://nobody@127.0.0.1:9/citynerve')).rejects.toThrow(
      /Cannot reach PostgreSQL at 127\.0\.0\.1:9 \(database "citynerve"\)/,
    );
  });
});
