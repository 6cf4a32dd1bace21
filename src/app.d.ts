// See https://svelte.dev/docs/kit/types#app.d.ts
import type { App as CityNerve } from '$server/app';
import type { SessionUser } from '$server/services/auth.service';

declare global {
  namespace App {
    interface Error {
      message: string;
    }
    interface Locals {
      app: CityNerve;
      user: SessionUser | null;
      lang: 'zh-CN' | 'en';
    }
  }
}

export {};
