-- The change-feed trigger ran for every sensor_state update, also the many that only store a new reading
-- of an unchanged state (most of device ingest). Fire it only when the state changes, and on insert.
-- A row whose state is unchanged keeps its seq and changed_at because the UPDATE does not set them.
DROP TRIGGER IF EXISTS sensor_state_stamp ON sensor_state;
--> statement-breakpoint
CREATE TRIGGER sensor_state_stamp BEFORE UPDATE ON sensor_state
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION sensor_state_stamp();
--> statement-breakpoint
CREATE TRIGGER sensor_state_stamp_insert BEFORE INSERT ON sensor_state
  FOR EACH ROW EXECUTE FUNCTION sensor_state_stamp();
