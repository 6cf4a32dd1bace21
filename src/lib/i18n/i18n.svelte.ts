// The UI's language as a rune-backed context: the root layout calls setI18n with a getter for the layout
// data's `lang`; every component calls useI18n() and reads labels through it, so a switch re-renders.
import { getContext, setContext } from 'svelte';
import { SENSOR_STATES } from '$lib/streams/contract';
import {
  DEFAULT_LANG,
  formatDateTime,
  formatTime,
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

  /** A reading value: booleans as yes/no, numbers with at most two decimals. */
  readingValue = (value: number | boolean | null | undefined): string => {
    if (value === null || value === undefined) return translate(this.lang, 'value.none');
    if (typeof value === 'boolean') return translate(this.lang, value ? 'value.true' : 'value.false');
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  };

  /** Label of a case (work order) state; unknown states are shown as they are. */
  caseState = (state: string): string => translateCode(this.lang, 'case.', state);

  /** Label of a department kind; unknown kinds are shown as they are. */
  departmentKind = (kind: string): string => translateCode(this.lang, 'department.kind.', kind);

  /** Local hh:mm:ss. */
  time = (date: Date): string => formatTime(date);

  /** Local YYYY-MM-DD hh:mm:ss, or the placeholder dash for null. */
  dateTime = (value: Date | string | null | undefined): string =>
    value === null || value === undefined ? translate(this.lang, 'value.none') : formatDateTime(value);

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
