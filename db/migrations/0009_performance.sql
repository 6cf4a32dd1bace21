CREATE TABLE "score_snapshots" (
	"id" serial PRIMARY KEY NOT NULL,
	"scheme_id" integer NOT NULL,
	"month" text NOT NULL,
	"department_id" integer NOT NULL,
	"kpis" jsonb NOT NULL,
	"score" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scoring_schemes" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"scheme" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" integer,
	"active" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "score_snapshots" ADD CONSTRAINT "score_snapshots_scheme_id_scoring_schemes_id_fk" FOREIGN KEY ("scheme_id") REFERENCES "public"."scoring_schemes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "score_snapshots" ADD CONSTRAINT "score_snapshots_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scoring_schemes" ADD CONSTRAINT "scoring_schemes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "score_snapshots_scheme_month_department_idx" ON "score_snapshots" USING btree ("scheme_id","month","department_id");--> statement-breakpoint
CREATE UNIQUE INDEX "scoring_schemes_name_version_idx" ON "scoring_schemes" USING btree ("name","version");