// Renders the text the system wrote about a case in the reader's language: from its neutral form
// (cases.system_text, an event's data.text) or, for rows written before that form existed, from the old
// Chinese wording read back into facts. Pure; used by the screens and by the server (Open311, CSV).
import { isSystemText, type AlarmCaseText, type SystemText } from '../api/system-text';
import { translate, translateCode, type Lang } from './translate';

/** The parts of an alarm case's text a title needs. */
type TitleFacts = Pick<AlarmCaseText, 'family' | 'rule' | 'sensor'>;

/** Name of a rule in `lang`; the id itself only when the catalogue does not know it. */
export function ruleName(lang: Lang, ruleId: string): string {
  return translateCode(lang, 'rule.', ruleId);
}

/** "井盖告警：井盖倾斜（MH-000123）" / "Manhole cover alarm: Manhole cover tilted (MH-000123)". */
export function systemTitle(lang: Lang, t: TitleFacts, familyFallback?: string): string {
  const family = translateCode(lang, 'family.', t.family);
  return translate(lang, 'systemText.alarmCase.title', {
    family: family === t.family && familyFallback ? familyFallback : family,
    rule: ruleName(lang, t.rule),
    sensor: t.sensor,
  });
}

/** The description and first note: which sensor raised what, how severe, opened by the system. */
export function systemDescription(lang: Lang, t: SystemText): string {
  return translate(lang, 'systemText.alarmCase.description', {
    rule: ruleName(lang, t.rule),
    sensor: t.sensor,
    level: translate(lang, t.critical ? 'systemText.level.critical' : 'systemText.level.warning'),
  });
}

const RULE = '([a-z]+\\.[a-z_]+)';
const OLD_TITLE = new RegExp(`^(.+?)告警：${RULE}（(.+)）$`);
const OLD_NOTE = new RegExp(`^由告警 #(\\d+) 自动立案：传感器 (.+)，规则 ${RULE}，(严重|警告)$`);

/** The facts of an alarm case's old-style Chinese title ("井盖告警：manhole.tilt（MH-000123）"), or null. */
export function parseOldTitle(title: string): TitleFacts | null {
  const m = OLD_TITLE.exec(title.trim());
  if (!m) return null;
  return { family: m[2].split('.')[0], rule: m[2], sensor: m[3] };
}

/** The facts of an old-style description or note ("由告警 #125 自动立案：传感器 …，规则 …，严重"), or null. */
export function parseOldNote(note: string): SystemText | null {
  const m = OLD_NOTE.exec(note.trim());
  if (!m) return null;
  return {
    key: 'alarm_case',
    family: m[3].split('.')[0],
    rule: m[3],
    sensor: m[2],
    alarm: Number(m[1]),
    critical: m[4] === '严重',
  };
}

/** What a case row carries for its title. */
export interface TitledCase {
  /** The stored (Chinese or citizen's) title. */
  title: string;
  /** Its neutral form, when the system wrote it. */
  systemText?: SystemText | null;
}

/** A case's title in `lang`: rendered when the system wrote it, the citizen's words otherwise. */
export function caseTitle(lang: Lang, c: TitledCase): string {
  const facts = c.systemText ?? parseOldTitle(c.title);
  return facts ? systemTitle(lang, facts) : c.title;
}

/** A case's description in `lang` (null stays null). */
export function caseDescription(
  lang: Lang,
  c: { description: string | null; systemText?: SystemText | null },
): string | null {
  const facts = c.systemText ?? (c.description ? parseOldNote(c.description) : null);
  return facts ? systemDescription(lang, facts) : c.description;
}

/** An event's note in `lang`: from data.text when the system wrote it, as typed otherwise. */
export function eventNote(
  lang: Lang,
  e: { note: string | null; data?: Record<string, unknown> | null },
): string | null {
  const stored = e.data?.text;
  const facts = isSystemText(stored) ? stored : e.note ? parseOldNote(e.note) : null;
  return facts ? systemDescription(lang, facts) : e.note;
}
