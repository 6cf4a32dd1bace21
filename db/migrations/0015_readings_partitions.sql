-- Reading history becomes a table partitioned by range of ts: one partition per UTC day
-- (sensor_readings_pYYYYMMDD) plus a DEFAULT partition for rows outside the created days. Retention then
-- drops a whole day (a file unlinked) instead of deleting millions of rows an hour and leaving the table
-- to be vacuumed (server/db/repositories/readings-partitions.repository.ts keeps the days coming).
-- The existing history moves over: the old table is renamed, the new one created with the same sequence
-- (ids continue), the rows copied and the old table dropped. drizzle cannot express partitioning; its
-- schema only knows that the primary key became (id, ts), which a partitioned table requires.
-- 1. The old table and its index give up their names.
ALTER TABLE "sensor_readings" RENAME TO "sensor_readings_0014";
--> statement-breakpoint
ALTER TABLE "sensor_readings_0014" RENAME CONSTRAINT "sensor_readings_pkey" TO "sensor_readings_0014_pkey";
--> statement-breakpoint
-- Not needed for the copy, and the new table's index takes its name.
DROP INDEX "sensor_readings_sensor_ts_idx";
--> statement-breakpoint
-- 2. The partitioned table, drawing ids from the old table's sequence; the sequence now belongs to the
--    new column so that dropping the old table keeps it.
CREATE TABLE "sensor_readings" (
	"id" bigint DEFAULT nextval('sensor_readings_id_seq'::regclass) NOT NULL,
	"sensor_id" integer NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"reading" jsonb NOT NULL,
	"state" smallint NOT NULL
) PARTITION BY RANGE ("ts");
--> statement-breakpoint
ALTER SEQUENCE "sensor_readings_id_seq" OWNED BY "sensor_readings"."id";
--> statement-breakpoint
CREATE TABLE "sensor_readings_default" PARTITION OF "sensor_readings" DEFAULT;
--> statement-breakpoint
-- 3. One partition per UTC day from the oldest stored reading through 7 days ahead (ingest start creates
--    more). At most 400 days back: a device with a wrong clock must not make thousands of tables; older
--    rows go to the DEFAULT partition, which retention empties as they pass the retention period.
DO $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  oldest timestamptz;
  d date;
BEGIN
  SELECT min(ts) INTO oldest FROM sensor_readings_0014
  WHERE ts >= ((today - 400)::timestamp AT TIME ZONE 'UTC');
  d := least(coalesce((oldest AT TIME ZONE 'UTC')::date, today), today);
  WHILE d <= today + 7 LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF sensor_readings FOR VALUES FROM (%L) TO (%L)',
      'sensor_readings_p' || to_char(d, 'YYYYMMDD'),
      to_char(d, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char(d + 1, 'YYYY-MM-DD') || ' 00:00:00+00');
    d := d + 1;
  END LOOP;
END;
$$;
--> statement-breakpoint
-- 4. The history moves over with its ids; keys and index are built afterwards, once per partition
--    (faster than maintaining them row by row during the copy).
INSERT INTO "sensor_readings" ("id", "sensor_id", "ts", "reading", "state")
SELECT "id", "sensor_id", "ts", "reading", "state" FROM "sensor_readings_0014";
--> statement-breakpoint
DROP TABLE "sensor_readings_0014";
--> statement-breakpoint
ALTER TABLE "sensor_readings" ADD CONSTRAINT "sensor_readings_id_ts_pk" PRIMARY KEY ("id", "ts");
--> statement-breakpoint
CREATE INDEX "sensor_readings_sensor_ts_idx" ON "sensor_readings" USING btree ("sensor_id", "ts" DESC NULLS LAST);
