import { describe, expect, it } from 'vitest';
import { translateCode } from '../../src/lib/i18n/translate';
import { DEFAULT_RULES } from './rules.defaults';

describe('default rules', () => {
  it('each have a name in Chinese and in English, so no screen shows a bare rule id', () => {
    for (const rule of Object.values(DEFAULT_RULES).flat()) {
      expect(translateCode('zh-CN', 'rule.', rule.id), rule.id).toMatch(/[\u4e00-\u9fff]/);
      expect(translateCode('en', 'rule.', rule.id), rule.id).not.toBe(rule.id);
    }
  });
});
