CREATE TABLE "classification_corrections" (
	"id" serial PRIMARY KEY NOT NULL,
	"ticket_id" integer,
	"text" text NOT NULL,
	"predicted" text,
	"corrected" text NOT NULL,
	"user_id" integer,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "open311_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "open311_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
ALTER TABLE "case_events" ADD COLUMN "data" jsonb;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "source" text DEFAULT 'hotline' NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "triage" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "address" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "reports" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "dispatched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "sign_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "signed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "allowed_hours" real;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "due_soon_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "pending_extension_hours" real;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "rating" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD COLUMN "caller_email" text;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD COLUMN "placement" text DEFAULT 'point' NOT NULL;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD COLUMN "category" text;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD COLUMN "confidence" real;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD COLUMN "suggestions" jsonb;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD COLUMN "duplicate" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD COLUMN "token" text;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD COLUMN "taken_by" integer;--> statement-breakpoint
ALTER TABLE "classification_corrections" ADD CONSTRAINT "classification_corrections_ticket_id_hotline_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."hotline_tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "classification_corrections" ADD CONSTRAINT "classification_corrections_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD CONSTRAINT "hotline_tickets_taken_by_users_id_fk" FOREIGN KEY ("taken_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cases_state_updated_idx" ON "cases" USING btree ("state","updated_at");--> statement-breakpoint
CREATE INDEX "cases_updated_idx" ON "cases" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "cases_created_idx" ON "cases" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "cases_due_idx" ON "cases" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "cases_due_soon_idx" ON "cases" USING btree ("due_soon_at");--> statement-breakpoint
CREATE INDEX "cases_sign_due_idx" ON "cases" USING btree ("sign_due_at");--> statement-breakpoint
CREATE INDEX "cases_category_idx" ON "cases" USING btree ("category");--> statement-breakpoint
CREATE INDEX "cases_source_state_idx" ON "cases" USING btree ("source","state");--> statement-breakpoint
CREATE INDEX "hotline_tickets_case_idx" ON "hotline_tickets" USING btree ("case_id");--> statement-breakpoint
ALTER TABLE "hotline_tickets" ADD CONSTRAINT "hotline_tickets_token_unique" UNIQUE("token");--> statement-breakpoint
-- Cases opened from sensor alarms before this migration: mark their source and category.
UPDATE "cases" SET "source" = 'sensor', "category" = 'safety.sensor_alarm' WHERE "sensor_id" IS NOT NULL;
