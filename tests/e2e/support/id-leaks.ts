// Finds internal identifiers in what a person reads: rule ids ("manhole.tilt"), grid cell codes
// ("xh-kangjian-24281.6232") and alarm row ids ("告警 #125", "alarm #125"). Elements marked as secondary
// detail (a `data-detail` attribute, shown in small type) may show them and are left out.
import type { Page } from '@playwright/test';

/** The patterns of internal ids that must not reach user-facing text. */
export const ID_LEAK_PATTERNS: readonly RegExp[] = [
  /\b(?:manhole|hydrant|elevator|drain|streetlight|gas)\.[a-z_]+\b/g,
  /\b(?:xh|ja)-[a-z]+-\d+(?:\.\d+)?/g,
  /告警\s*#\s*\d+/g,
  /\balarm\s*#\s*\d+/gi,
];

/** Every match of the id patterns in `text`, in pattern order. Pure: unit tests use it too. */
export function findIdLeaks(text: string): string[] {
  return ID_LEAK_PATTERNS.flatMap((re) =>
    [...text.matchAll(new RegExp(re.source, re.flags))].map((m) => m[0]),
  );
}

/**
 * The id leaks in the visible text of `page`, its document title and the tooltips and accessible names of its
 * elements (title, aria-label, alt, placeholder): text of hidden elements (display none, visibility
 * hidden), scripts and secondary-detail elements does not count.
 */
export async function idLeaks(page: Page): Promise<string[]> {
  const text = await page.evaluate(() => {
    const SKIP_TAGS = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT']);
    const parts: string[] = [document.title];
    const walk = (el: Element) => {
      if (SKIP_TAGS.has(el.tagName)) return;
      if (el.hasAttribute('data-detail')) return;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') return;
      // What a pointer's tooltip or a screen reader says counts as text too.
      for (const attr of ['title', 'aria-label', 'alt', 'placeholder']) {
        const v = el.getAttribute(attr);
        if (v) parts.push(v);
      }
      for (const node of el.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
        else if (node.nodeType === Node.ELEMENT_NODE) walk(node as Element);
      }
    };
    walk(document.body);
    return parts.join(' ');
  });
  return findIdLeaks(text);
}
