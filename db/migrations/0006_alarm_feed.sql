ALTER TABLE "alarms" ADD COLUMN "feed_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "alarms_feed_seq_idx" ON "alarms" USING btree ("feed_seq");--> statement-breakpoint
-- Change feed for alarms, on the pattern of the sensor feed (0002): a new alarm, and every change of its
-- status, severity, acknowledgement, escalation or case, gets the next number of one global sequence;
-- repeats that only count occurrences keep theirs. Writers hold advisory lock 727002 shared until commit;
-- the feed reader takes it exclusively for an instant before reading "feed_seq > cursor", so it never
-- skips a number whose transaction was still open (a later commit of a smaller number). Alarms that
-- existed before this migration keep 0 until their next change.
CREATE SEQUENCE IF NOT EXISTS alarm_feed_seq;
--> statement-breakpoint
-- Taken once per statement, before the statement locks any alarm row: a writer then never holds a row
-- another writer waits for while it queues behind the reader (the reader also gives up after a short
-- lock_timeout, for writers that locked rows in an earlier statement).
CREATE OR REPLACE FUNCTION alarm_feed_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(727002);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION alarm_feed_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(727002);
  NEW.feed_seq := nextval('alarm_feed_seq');
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER alarm_feed_lock BEFORE INSERT OR UPDATE ON alarms
  FOR EACH STATEMENT EXECUTE FUNCTION alarm_feed_lock();
--> statement-breakpoint
CREATE TRIGGER alarm_feed_stamp_insert BEFORE INSERT ON alarms
  FOR EACH ROW EXECUTE FUNCTION alarm_feed_stamp();
--> statement-breakpoint
CREATE TRIGGER alarm_feed_stamp BEFORE UPDATE ON alarms
  FOR EACH ROW WHEN (
    (OLD.status, OLD.severity, OLD.acknowledged_by, OLD.acknowledged_at, OLD.cleared_at,
     OLD.escalation_level, OLD.case_id)
    IS DISTINCT FROM
    (NEW.status, NEW.severity, NEW.acknowledged_by, NEW.acknowledged_at, NEW.cleared_at,
     NEW.escalation_level, NEW.case_id)
  ) EXECUTE FUNCTION alarm_feed_stamp();
