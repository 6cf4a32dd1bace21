ALTER TABLE "cases" ADD COLUMN "system_text" jsonb;--> statement-breakpoint
-- Alarm cases written before the neutral form existed: read their facts back from the old Chinese wording
-- ("井盖告警：manhole.tilt（MH-000123）", "由告警 #125 自动立案：传感器 …，规则 …，严重").
UPDATE "cases" c SET "system_text" = jsonb_build_object(
  'key', 'alarm_case',
  'family', split_part(x.t[2], '.', 1),
  'rule', x.t[2],
  'sensor', x.t[3],
  'alarm', coalesce(x.d[1]::int, 0),
  'critical', coalesce(x.d[4] = '严重', c.priority = 1))
FROM (
  SELECT id,
    regexp_match(title, '^(.+?)告警：([a-z]+\.[a-z_]+)（(.+)）$') AS t,
    regexp_match(coalesce(description, ''), '^由告警 #(\d+) 自动立案：传感器 (.+)，规则 ([a-z]+\.[a-z_]+)，(严重|警告)$') AS d
  FROM "cases" WHERE "source" = 'sensor' AND "system_text" IS NULL
) x
WHERE x.id = c.id AND x.t IS NOT NULL;--> statement-breakpoint
UPDATE "case_events" e SET "data" = coalesce(e."data", '{}'::jsonb) || jsonb_build_object('text', c."system_text")
FROM "cases" c
WHERE c.id = e.case_id AND e."action" = 'receive' AND c."system_text" IS NOT NULL AND e."note" LIKE '由告警 #%';
