-- PostGIS first: every later migration uses its geometry types.
CREATE EXTENSION IF NOT EXISTS postgis;