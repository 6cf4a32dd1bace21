// The JSON of /api/me/*: the signed-in (or anonymous) visitor's own settings.
import type { Lang } from '../i18n/langs';

/** Answer of GET and PUT /api/me/language. */
export interface LanguageResponse {
  /** The UI language now in force for this browser. */
  language: Lang;
  /** Whether the choice is stored on the user's account (false for anonymous visitors). */
  stored: boolean;
}
