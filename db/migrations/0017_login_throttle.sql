-- Sign-in throttling counters shared by the nodes of a cluster, and the audit of every sign-in attempt
-- (server/services/login-guard.ts). The audit never holds a password.
CREATE TABLE "login_audit" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"login_name" text NOT NULL,
	"user_id" integer,
	"address" text NOT NULL,
	"outcome" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"failures" integer NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"last_failure_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "login_audit" ADD CONSTRAINT "login_audit_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "login_audit_at_idx" ON "login_audit" USING btree ("at");--> statement-breakpoint
CREATE INDEX "login_audit_outcome_idx" ON "login_audit" USING btree ("outcome","at");--> statement-breakpoint
CREATE INDEX "login_audit_login_idx" ON "login_audit" USING btree (lower("login_name"),"address","at");