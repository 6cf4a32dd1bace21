-- The queue's title search (GET /api/cases?q=, a substring match: title LIKE '%…%') through a trigram index
-- instead of a scan of every case. Hand-written: drizzle's schema has no operator-class index for it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "cases_title_trgm" ON "cases" USING gin ("title" gin_trgm_ops);
