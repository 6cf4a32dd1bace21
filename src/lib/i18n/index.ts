// The i18n module's public face: catalogue types, pure helpers and the rune context.
export {
  DEFAULT_LANG,
  LANGS,
  formatDateTime,
  formatTime,
  isLang,
  isMessageKey,
  translate,
  translateCode,
  type Lang,
  type MessageKey,
  type MessageParams,
} from './translate';
export { I18n, setI18n, useI18n, writeLangCookie } from './i18n.svelte';
