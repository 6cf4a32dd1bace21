// The UI's language as a rune-backed context: the root layout calls setI18n with a getter for the layout
// data's `lang`; every component calls useI18n() and reads labels through it, so a switch re-renders.
import { getContext, setContext } from 'svelte';
import { SENSOR_STATES } from '$lib/streams/contract';
import * as format from './format';
import * as systemText from './system-text';
import type { Instant } from './format';
import {
  DEFAULT_LANG,
  translate,
  translateCode,
  type Lang,
  type MessageKey,
  type MessageParams,
} from './translate';

export class I18n {
  readonly #getLang: () => Lang;
  /** The current language, following whatever the getter returns. */
  readonly lang: Lang = $derived.by(() => this.#getLang());

  constructor(getLang: () => Lang) {
    this.#getLang = getLang;
  }

  /** The message for `key` in the current language, with {placeholders} filled from `params`. */
  t = (key: MessageKey, params?: MessageParams): string => translate(this.lang, key, params);

  /** Label of a sensor state code (0..3). */
  state = (code: number): string => {
    const name = SENSOR_STATES[code];
    return name ? translate(this.lang, `state.${name}`) : translate(this.lang, 'state.unknown');
  };

  /** Label of a sensor family code; unknown codes are shown as they are. */
  family = (code: string): string => translateCode(this.lang, 'family.', code);

  /** Label of a user role; unknown roles are shown as they are. */
  role = (role: string): string => translateCode(this.lang, 'role.', role);

  /** Label of a reading field such as tilt_deg; unknown fields are shown as they are. */
  readingField = (field: string): string => translateCode(this.lang, 'reading.', field);

  /** A reading value: booleans as yes/no, numbers with at most two decimals and grouping. */
  readingValue = (value: number | boolean | null | undefined): string => {
    if (value === null || value === undefined) return translate(this.lang, 'value.none');
    if (typeof value === 'boolean') return translate(this.lang, value ? 'value.true' : 'value.false');
    return format.formatNumber(this.lang, value, 2);
  };

  /** Label of a case (work order) state; unknown states are shown as they are. */
  caseState = (state: string): string => translateCode(this.lang, 'case.', state);

  /** Label of a department kind; unknown kinds are shown as they are. */
  departmentKind = (kind: string): string => translateCode(this.lang, 'department.kind.', kind);

  /** Clock time in the city's zone, hh:mm:ss (hh:mm with `{ seconds: false }`). */
  time = (value: Instant, opts?: { seconds?: boolean }): string => format.formatTime(this.lang, value, opts);

  /** Day and minute ("2025年3月1日 08:05" / "1 Mar 2025, 08:05"), or the placeholder dash for null. */
  dateTime = (value: Instant | null | undefined, opts?: { seconds?: boolean }): string =>
    format.formatDateTime(this.lang, value, opts);

  /** A calendar day ("2025年3月1日" / "1 Mar 2025"), or the dash. */
  date = (value: Instant | null | undefined): string => format.formatDate(this.lang, value);

  /** A YYYY-MM month ("2025年3月" / "Mar 2025"). */
  month = (month: string): string => format.formatMonth(this.lang, month);

  /** A length of time ("3小时20分" / "3 h 20 min"). */
  duration = (ms: number): string => format.formatDuration(this.lang, ms);

  /** Working hours ("8小时" / "8 h"). */
  hours = (hours: number): string => format.formatHours(this.lang, hours);

  /** How far `value` is from `now` ("3小时前" / "3 hours ago"). */
  relative = (value: Instant, now: Instant): string => format.formatRelative(this.lang, value, now);

  /** A whole number with grouping ("12,345"). */
  int = (value: number | null | undefined): string => format.formatInteger(this.lang, value);

  /** A number with at most `digits` decimals (exactly, with `{ fixed: true }`). */
  num = (value: number | null | undefined, digits?: number, opts?: { fixed?: boolean }): string =>
    format.formatNumber(this.lang, value, digits, opts);

  /** Items as one phrase, with the language's separator ("、" / ", "). */
  list = (items: readonly string[]): string => format.formatList(this.lang, items);

  /** A share 0–1 as a percentage ("87.5%"). */
  percent = (share: number | null | undefined, digits?: number): string =>
    format.formatPercent(this.lang, share, digits);

  /** A distance in metres ("120米" / "120 m"). */
  distance = (metres: number | null | undefined): string => format.formatDistance(this.lang, metres);

  /** A case's title: rendered from its neutral form when the system wrote it, the citizen's words otherwise. */
  caseTitle = (c: systemText.TitledCase): string => systemText.caseTitle(this.lang, c);

  /** A case's description, rendered like its title. */
  caseDescription = (c: Parameters<typeof systemText.caseDescription>[1]): string | null =>
    systemText.caseDescription(this.lang, c);

  /** A history entry's note, rendered from data.text when the system wrote it. */
  eventNote = (e: Parameters<typeof systemText.eventNote>[1]): string | null =>
    systemText.eventNote(this.lang, e);

  /** Name of an alarm rule; its id only when the catalogue does not know it. */
  rule = (ruleId: string): string => systemText.ruleName(this.lang, ruleId);

  /** Picks the Chinese or the English variant of a name pair coming from the server. */
  name = (zh: string | null | undefined, enName: string | null | undefined): string =>
    (this.lang === 'en' ? enName || zh : zh || enName) ?? '';
}

const KEY = Symbol('citynerve.i18n');

/** Creates the context for this component tree; call once in the root layout. */
export function setI18n(getLang: () => Lang): I18n {
  return setContext(KEY, new I18n(getLang));
}

/** The I18n of the nearest layout; falls back to the default language outside one (e.g. in isolation). */
export function useI18n(): I18n {
  return getContext<I18n | undefined>(KEY) ?? new I18n(() => DEFAULT_LANG);
}

/** Stores the language choice in the `lang` cookie the server reads (path /, one year). */
export function writeLangCookie(lang: Lang): void {
  document.cookie = `lang=${encodeURIComponent(lang)}; path=/; max-age=31536000; samesite=lax`;
}
