-- The public view's shared store on PostgreSQL (server/cluster/shared-store.ts): rate buckets and cached
-- datasets that every node sees. UNLOGGED (edited by hand; drizzle-kit's diff ignores it): the rows are
-- rewritten on every request and worth nothing after a crash, so they skip the WAL and are not replicated.
CREATE UNLOGGED TABLE "public_cache" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNLOGGED TABLE "public_rate_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"at_ms" double precision NOT NULL,
	"taken" boolean NOT NULL
);
