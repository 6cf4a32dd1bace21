// The XML writer: escaping, characters XML cannot carry, nulls, lists and the Open311 error document.
import { describe, expect, it } from 'vitest';
import { Open311Error } from './errors';
import { render, renderError } from './render';
import { escapeXml, xmlDocument } from './xml';

describe('escapeXml', () => {
  it('escapes the five XML special characters', () => {
    expect(escapeXml(`a & b < c > d "e" 'f'`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;');
  });

  it('does not double-escape an entity a citizen typed', () => {
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
  });

  it('keeps Chinese, emoji and line breaks, drops control characters and lone surrogates', () => {
    expect(escapeXml('井盖缺失 🚧\n第二行\t')).toBe('井盖缺失 🚧\n第二行\t');
    expect(escapeXml('a\u0000b\u0008c\u001fd\uffffe\ud800f')).toBe('abcdef');
  });
});

describe('xmlDocument', () => {
  it('writes the declaration, nested elements, lists as repeated items and null as empty elements', () => {
    const xml = xmlDocument(
      'service_requests',
      [
        { service_request_id: 'GD-1', lat: 31.2, status_notes: null, description: undefined, ok: true },
        { service_request_id: 'GD-2', lat: 31.3, status_notes: 'a<b', description: undefined, ok: false },
      ],
      { service_requests: 'request' },
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<service_requests>' +
        '<request><service_request_id>GD-1</service_request_id><lat>31.2</lat><status_notes/><ok>true</ok></request>' +
        '<request><service_request_id>GD-2</service_request_id><lat>31.3</lat><status_notes>a&lt;b</status_notes><ok>false</ok></request>' +
        '</service_requests>\n',
    );
  });

  it('writes an empty list as an empty root and an empty nested list as an empty element', () => {
    expect(xmlDocument('services', [], { services: 'service' })).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<services/>\n',
    );
    expect(
      xmlDocument('service_definition', { service_code: 'x', attributes: [] }, { attributes: 'attribute' }),
    ).toContain('<service_definition><service_code>x</service_code><attributes/></service_definition>');
  });

  it('refuses element names that are not XML names, and lists without an item name', () => {
    expect(() => xmlDocument('a', { 'b c': 1 })).toThrow(/not an XML element name/);
    expect(() => xmlDocument('a', { list: [1] })).toThrow(/no item element name/);
  });
});

describe('render', () => {
  it('answers JSON and XML with UTF-8 content types', async () => {
    const doc = { root: 'services' as const, data: [] };
    const json = render('json', doc);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await json.text()).toBe('[]');
    const xml = render('xml', doc);
    expect(xml.headers.get('content-type')).toBe('application/xml; charset=utf-8');
  });

  it('writes errors as [{ code, description }] or <errors><error>, with the status', async () => {
    const err = new Open311Error(400, 'status "x" is not a status & <no>');
    const json = renderError('json', err);
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual([{ code: 400, description: 'status "x" is not a status & <no>' }]);
    const xml = renderError('xml', err);
    expect(xml.status).toBe(400);
    expect(await xml.text()).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>400</code>' +
        '<description>status &quot;x&quot; is not a status &amp; &lt;no&gt;</description></error></errors>\n',
    );
  });
});
