-- Change feed for sensor state: every change of state gets the next number of one global sequence.
-- Writers take a shared advisory lock in the same transaction; the feed reader takes it exclusively
-- for an instant before reading "seq > cursor", so it never skips a number whose transaction was
-- still open (a later commit of a smaller seq).
CREATE SEQUENCE IF NOT EXISTS sensor_state_seq;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION sensor_state_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state THEN
    PERFORM pg_advisory_xact_lock_shared(727001);
    NEW.seq := nextval('sensor_state_seq');
    IF TG_OP = 'UPDATE' THEN
      NEW.changed_at := now();
    END IF;
  ELSE
    NEW.seq := OLD.seq;
    NEW.changed_at := OLD.changed_at;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER sensor_state_stamp BEFORE INSERT OR UPDATE ON sensor_state
  FOR EACH ROW EXECUTE FUNCTION sensor_state_stamp();
