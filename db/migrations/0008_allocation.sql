CREATE TABLE "allocation_decisions" (
	"id" serial PRIMARY KEY NOT NULL,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_id" integer,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "unit_capacity" (
	"department_id" integer PRIMARY KEY NOT NULL,
	"staff" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" integer
);
--> statement-breakpoint
ALTER TABLE "allocation_decisions" ADD CONSTRAINT "allocation_decisions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_capacity" ADD CONSTRAINT "unit_capacity_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "unit_capacity" ADD CONSTRAINT "unit_capacity_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "allocation_decisions_decided_idx" ON "allocation_decisions" USING btree ("decided_at");