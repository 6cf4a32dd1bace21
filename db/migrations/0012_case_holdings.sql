CREATE TABLE "case_holdings" (
	"case_id" integer NOT NULL,
	"seq" smallint NOT NULL,
	"department_id" integer NOT NULL,
	"started_by" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"sign_due_at" timestamp with time zone,
	"signed_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"returned_at" timestamp with time zone,
	"extension_requested_at" timestamp with time zone[],
	"extension_approved_at" timestamp with time zone[],
	"rating" text,
	"rated_at" timestamp with time zone,
	"next_started_by" text,
	"next_started_at" timestamp with time zone,
	"next_department_id" integer,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "case_holdings_case_id_seq_pk" PRIMARY KEY("case_id","seq")
);
--> statement-breakpoint
ALTER TABLE "case_holdings" ADD CONSTRAINT "case_holdings_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_holdings_last_started_idx" ON "case_holdings" USING btree ("last_at","started_at");