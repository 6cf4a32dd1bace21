-- Dead letters counted per reason, kept when dead_letters' old rows are trimmed (DEAD_LETTER_RETENTION_DAYS,
-- DEAD_LETTER_MAX_ROWS). The rows already stored are counted once here.
CREATE TABLE "dead_letter_tallies" (
	"reason" text PRIMARY KEY NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	"last_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
INSERT INTO "dead_letter_tallies" ("reason", "count", "last_at")
SELECT "reason", count(*), max("received_at") FROM "dead_letters" GROUP BY "reason";
