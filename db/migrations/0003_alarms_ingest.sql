CREATE TABLE "alarms" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sensor_id" integer NOT NULL,
	"rule_id" text NOT NULL,
	"severity" smallint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"occurrences" integer DEFAULT 1 NOT NULL,
	"last_value" jsonb,
	"acknowledged_by" integer,
	"acknowledged_at" timestamp with time zone,
	"cleared_at" timestamp with time zone,
	"escalation_level" smallint DEFAULT 0 NOT NULL,
	"escalated_at" timestamp with time zone,
	"case_id" integer
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"channel" text NOT NULL,
	"source" text,
	"reason" text NOT NULL,
	"detail" text NOT NULL,
	"sensor_code" text,
	"payload" text
);
--> statement-breakpoint
CREATE TABLE "gateways" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gateways_code_unique" UNIQUE("code"),
	CONSTRAINT "gateways_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
ALTER TABLE "sensor_state" ADD COLUMN "rule_state" jsonb;--> statement-breakpoint
ALTER TABLE "sensor_types" ADD COLUMN "rules" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sensor_types" ADD COLUMN "owner_department_key" text;--> statement-breakpoint
ALTER TABLE "sensors" ADD COLUMN "rule_overrides" jsonb;--> statement-breakpoint
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_sensor_id_sensors_id_fk" FOREIGN KEY ("sensor_id") REFERENCES "public"."sensors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_acknowledged_by_users_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alarms" ADD CONSTRAINT "alarms_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alarms_one_open_per_rule" ON "alarms" USING btree ("sensor_id","rule_id") WHERE status <> 'cleared';--> statement-breakpoint
CREATE INDEX "alarms_sensor_idx" ON "alarms" USING btree ("sensor_id","opened_at");--> statement-breakpoint
CREATE INDEX "alarms_status_idx" ON "alarms" USING btree ("status","opened_at");--> statement-breakpoint
CREATE INDEX "dead_letters_received_idx" ON "dead_letters" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "dead_letters_reason_idx" ON "dead_letters" USING btree ("reason");