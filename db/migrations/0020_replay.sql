-- Replay (issue 19): sensor state transitions, periodic checkpoints of every sensor's state, bookmarks,
-- and the indexes that find the events up to an instant and the next change after one.
CREATE TABLE "replay_bookmarks" (
	"id" serial PRIMARY KEY NOT NULL,
	"from_at" timestamp with time zone NOT NULL,
	"to_at" timestamp with time zone,
	"note" text NOT NULL,
	"created_by" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "replay_checkpoints" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"seq" bigint NOT NULL,
	"sensor_ids" integer[] NOT NULL,
	"states" smallint[] NOT NULL,
	CONSTRAINT "replay_checkpoints_at_unique" UNIQUE("at")
);
--> statement-breakpoint
CREATE TABLE "sensor_transitions" (
	"sensor_id" integer NOT NULL,
	"seq" bigint NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"state" smallint NOT NULL,
	CONSTRAINT "sensor_transitions_sensor_id_seq_pk" PRIMARY KEY("sensor_id","seq")
);
--> statement-breakpoint
ALTER TABLE "replay_bookmarks" ADD CONSTRAINT "replay_bookmarks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sensor_transitions" ADD CONSTRAINT "sensor_transitions_sensor_id_sensors_id_fk" FOREIGN KEY ("sensor_id") REFERENCES "public"."sensors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "replay_bookmarks_from_idx" ON "replay_bookmarks" USING btree ("from_at");--> statement-breakpoint
CREATE INDEX "sensor_transitions_at_idx" ON "sensor_transitions" USING btree ("at");--> statement-breakpoint
CREATE INDEX "alarms_acknowledged_idx" ON "alarms" USING btree ("acknowledged_at");--> statement-breakpoint
CREATE INDEX "alarms_cleared_idx" ON "alarms" USING btree ("cleared_at");--> statement-breakpoint
CREATE INDEX "case_events_at_idx" ON "case_events" USING btree ("at");
--> statement-breakpoint
-- Every change of state is also recorded as a transition (replay, issue 19), by the trigger that already
-- stamps it with the next change-feed number: ingest, the watchdog and the simulator need not know. The
-- time is the clock after the feed lock is held, so a checkpoint (taken with the lock held exclusively)
-- sees exactly the transitions with a number up to its own and a time up to its own. A new sensor that
-- starts normal records nothing: no transition means normal.
CREATE OR REPLACE FUNCTION sensor_state_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state THEN
    PERFORM pg_advisory_xact_lock_shared(727001);
    NEW.seq := nextval('sensor_state_seq');
    IF TG_OP = 'UPDATE' THEN
      NEW.changed_at := now();
    END IF;
    IF TG_OP = 'UPDATE' OR NEW.state <> 0 THEN
      INSERT INTO sensor_transitions (sensor_id, seq, at, state)
      VALUES (NEW.sensor_id, NEW.seq, clock_timestamp(), NEW.state);
    END IF;
  ELSE
    NEW.seq := OLD.seq;
    NEW.changed_at := OLD.changed_at;
  END IF;
  RETURN NEW;
END;
$$;
