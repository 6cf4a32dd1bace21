CREATE TABLE "rule_override_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sensor_id" integer NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"changed_by" integer,
	"actor_role" text NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
ALTER TABLE "rule_override_audit" ADD CONSTRAINT "rule_override_audit_sensor_id_sensors_id_fk" FOREIGN KEY ("sensor_id") REFERENCES "public"."sensors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rule_override_audit" ADD CONSTRAINT "rule_override_audit_changed_by_users_id_fk" FOREIGN KEY ("changed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rule_override_audit_sensor_idx" ON "rule_override_audit" USING btree ("sensor_id","changed_at");