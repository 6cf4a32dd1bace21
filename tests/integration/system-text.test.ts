// Text the system writes, on every engine: an alarm-born case stores its title and first note in a
// language-neutral form (cases.system_text, the receive event's data.text), the case API hands it out and it
// renders in both languages without rule ids, alarm row ids or grid cell codes; cases stored with the old
// Chinese wording get the neutral form from the migration's backfill and render the same way.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import type { Database } from '../../server/db/client';
import { generateDemoCity } from '../../server/sim/generate-city';
import type { CaseDetail, CaseListResponse } from '../../src/lib/api/cases';
import { caseDescription, caseTitle, eventNote } from '../../src/lib/i18n/system-text';
import { LANGS, translate } from '../../src/lib/i18n/translate';
import { GET as listCases } from '../../src/routes/api/cases/+server';
import { GET as getCase } from '../../src/routes/api/cases/[code]/+server';
import { findIdLeaks } from '../e2e/support/id-leaks';
import { database, engines, resetDatabase } from './support/databases';
import { callRoute, routeEvent, type TestUser } from './support/routes';

const T0 = new Date('2026-03-02T08:00:00Z');
const HAN = /\p{sc=Han}/u;

/** The backfill statements of the migration that added system_text (everything after the ALTER). */
function backfillStatements(): string[] {
  const file = readFileSync(
    new URL('../../db/migrations/0014_case_system_text.sql', import.meta.url),
    'utf8',
  );
  return file
    .split('--> statement-breakpoint')
    .map((s) => s.trim())
    .filter((s) => /^(--.*\n)*\s*UPDATE/m.test(s));
}

describe.each(engines())('system text on %s', (engine) => {
  let db: Database;
  let app: App;
  let officer: TestUser;
  let sensor: { id: number; code: string; gridCellId: number | null };

  beforeAll(async () => {
    db = await database(engine);
    await resetDatabase(db);
    await generateDemoCity(db, { sensorCount: 200, seed: 'system-text' });
    app = buildApp(loadConfig({ LOG_LEVEL: 'silent' }), db);
    const [u] = await db.rows<{ id: number }>(sql`
      insert into users (username, display_name, password_hash, role)
      values ('duty-st', '值班员', 'x', 'officer') returning id`);
    officer = { id: Number(u.id), role: 'officer' };
    const [s] = await db.rows<{ id: number; code: string; gridCellId: number | null }>(sql`
      select s.id, s.code, s.grid_cell_id as "gridCellId" from sensors s join sensor_types t on t.id = s.type_id
      where t.code = 'elevator' and s.grid_cell_id is not null order by s.id limit 1`);
    sensor = { ...s, id: Number(s.id) };
  });

  const detail = async (code: string) =>
    (await callRoute<CaseDetail>(getCase, routeEvent(app, officer, { params: { code } }))).body;
  const list = async (q: string) =>
    (
      await callRoute<CaseListResponse>(
        listCases,
        routeEvent(app, officer, { path: '/api/cases', query: `?q=${encodeURIComponent(q)}` }),
      )
    ).body;

  it('stores an alarm case’s text neutrally and renders it in both languages without ids', async () => {
    const [a] = await db.rows<{ id: number }>(sql`
      insert into alarms (sensor_id, rule_id, severity, status, opened_at, last_seen_at, occurrences, last_value)
      values (${sensor.id}, 'elevator.trapped', 2, 'open', ${T0.toISOString()}::timestamptz,
              ${T0.toISOString()}::timestamptz, 1, '{"trapped": true}'::jsonb)
      returning id`);
    const alarmId = Number(a.id);
    const swept = await app.alarms.sweep(new Date(T0.getTime() + 60_000));
    const opened = swept.casesOpened.find((c) => c.alarmId === alarmId);
    expect(opened).toBeDefined();

    const neutral = {
      key: 'alarm_case',
      family: 'elevator',
      rule: 'elevator.trapped',
      sensor: sensor.code,
      alarm: alarmId,
      critical: true,
    };
    const [stored] = await db.rows<{
      code: string;
      title: string;
      systemText: unknown;
      eventText: unknown;
    }>(sql`
      select c.code, c.title, c.system_text as "systemText",
             (select e.data -> 'text' from case_events e where e.case_id = c.id and e.action = 'receive') as "eventText"
      from cases c join alarms al on al.case_id = c.id where al.id = ${alarmId}`);
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    expect(parse(stored.systemText)).toEqual(neutral);
    expect(parse(stored.eventText)).toEqual(neutral);
    // The Chinese column names the rule too (search finds what people read), never its id.
    expect(findIdLeaks(stored.title)).toEqual([]);

    const row = (await list(stored.code)).cases.find((c) => c.code === stored.code)!;
    expect(row.systemText).toEqual(neutral);
    const c = await detail(stored.code);
    expect(c.systemText).toEqual(neutral);
    const receive = c.events.find((e) => e.action === 'receive')!;
    for (const lang of LANGS) {
      const shown = [
        caseTitle(lang, row),
        caseTitle(lang, c),
        caseDescription(lang, c)!,
        eventNote(lang, receive)!,
      ];
      expect(findIdLeaks(shown.join('\n')), lang).toEqual([]);
      expect(shown[0]).toContain(translate(lang, 'rule.elevator.trapped'));
      expect(shown[0]).toContain(sensor.code);
      expect(
        shown.every((s) => HAN.test(s)),
        lang,
      ).toBe(lang === 'zh-CN');
    }
    // The grid cell is named by its street and number; its code stays a detail.
    expect(c.gridCellNumber).toBeGreaterThanOrEqual(1);
    expect(c.gridCellStreetName).toMatch(HAN);
  });

  it('gives cases stored with the old wording the neutral form, and renders them before that too', async () => {
    const oldTitle = `电梯告警：elevator.door_fault（${sensor.code}）`;
    const oldNote = `由告警 #4711 自动立案：传感器 ${sensor.code}，规则 elevator.door_fault，警告`;
    const [c] = await db.rows<{ id: number; code: string }>(sql`
      insert into cases (code, title, description, category, state, priority, source, sensor_id, created_at, updated_at)
      values ('AL-20250101-4711', ${oldTitle}, ${oldNote}, 'safety.sensor_alarm', 'received', 2, 'sensor', ${sensor.id},
              ${T0.toISOString()}::timestamptz, ${T0.toISOString()}::timestamptz)
      returning id, code`);
    await db.rows(sql`
      insert into case_events (case_id, at, actor_role, action, to_state, note, data)
      values (${c.id}, ${T0.toISOString()}::timestamptz, 'system', 'receive', 'received', ${oldNote},
              '{"category": "safety.sensor_alarm"}'::jsonb)`);

    const before = await detail(c.code);
    expect(before.systemText).toBeNull();
    const enBefore = caseTitle('en', before);
    expect(findIdLeaks(enBefore)).toEqual([]);
    expect(enBefore).toContain(translate('en', 'rule.elevator.door_fault'));

    for (const statement of backfillStatements()) await db.orm.execute(sql.raw(statement));
    const after = await detail(c.code);
    expect(after.systemText).toEqual({
      key: 'alarm_case',
      family: 'elevator',
      rule: 'elevator.door_fault',
      sensor: sensor.code,
      alarm: 4711,
      critical: false,
    });
    const receive = after.events.find((e) => e.action === 'receive')!;
    expect(receive.data).toMatchObject({ category: 'safety.sensor_alarm', text: after.systemText });
    for (const lang of LANGS) {
      const shown = [caseTitle(lang, after), caseDescription(lang, after)!, eventNote(lang, receive)!];
      expect(findIdLeaks(shown.join('\n')), lang).toEqual([]);
      expect(caseTitle(lang, after)).toBe(caseTitle(lang, before));
    }
  });
});
