// A small XML writer for Open311 documents: elements only (no attributes), UTF-8, every text escaped and
// stripped of the characters XML 1.0 cannot carry, so a citizen's text can never break the document.

/** A value the writer renders: scalars become text, objects child elements, arrays repeated items. */
export type XmlValue = string | number | boolean | null | undefined | readonly XmlValue[] | XmlObject;
/** Child elements by name, in insertion order. */
export interface XmlObject {
  readonly [name: string]: XmlValue;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** True for code points XML 1.0 allows in text (#x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–). */
function allowed(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    cp >= 0x10000
  );
}

/** Text safe inside an element or an attribute value: &<>"' escaped, characters XML cannot carry dropped. */
export function escapeXml(text: string): string {
  let out = '';
  // for…of walks code points: a valid surrogate pair arrives whole, a lone surrogate alone (and is dropped).
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (!allowed(cp)) continue;
    out += ENTITIES[ch] ?? ch;
  }
  return out;
}

function scalar(v: string | number | boolean): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return escapeXml(String(v));
}

function element(name: string, value: XmlValue, itemNames: Readonly<Record<string, string>>): string {
  if (!NAME.test(name)) throw new Error(`not an XML element name: ${name}`);
  if (value === undefined) return '';
  if (value === null) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = itemNames[name];
    if (!item) throw new Error(`no item element name for the list <${name}>`);
    const inner = value.map((v) => element(item, v, itemNames)).join('');
    return inner ? `<${name}>${inner}</${name}>` : `<${name}/>`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value as XmlObject)
      .map(([k, v]) => element(k, v, itemNames))
      .join('');
    return inner ? `<${name}>${inner}</${name}>` : `<${name}/>`;
  }
  return `<${name}>${scalar(value as string | number | boolean)}</${name}>`;
}

/**
 * A whole document: the XML declaration and one root element. A list is written as repeated children
 * named by `itemNames` (e.g. { services: 'service' }); null becomes an empty element, undefined nothing.
 */
export function xmlDocument(
  root: string,
  value: XmlValue,
  itemNames: Readonly<Record<string, string>> = {},
): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value, itemNames) || `<${root}/>`}\n`;
}
