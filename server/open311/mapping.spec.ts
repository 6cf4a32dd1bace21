// Cases to Open311 documents: status mapping, the service list and the two views of a request (what the
// anonymous public sees must carry no free text and no exact point).
import { describe, expect, it } from 'vitest';
import { cellOf } from '../domain/disclosure';
import { CASE_STATES } from '../domain/case-workflow';
import type { Open311CaseRow } from '../db/repositories/open311.repository';
import { categoryByCode } from '../domain/case-categories';
import {
  reportText,
  serviceDefinition,
  serviceList,
  splitMedia,
  statesOf,
  statusOf,
  toOpen311Request,
} from './mapping';

const row = (over: Partial<Open311CaseRow> = {}): Open311CaseRow => ({
  code: 'GD-20260302-7',
  state: 'dispatched',
  category: 'city.sanitation',
  description: '阳曲路520弄门口垃圾堆了三天，我住1703室\nmedia_url: https://img.example.cn/7.jpg',
  address: '阳曲路520弄1703室',
  streetName: '临汾路街道',
  streetNameEn: 'Linfen Road Subdistrict',
  departmentName: '临汾路街道办事处',
  departmentNameEn: 'Linfen Road Subdistrict Office',
  createdAt: new Date('2026-03-02T01:00:00Z'),
  updatedAt: new Date('2026-03-02T01:05:00Z'),
  resolvedAt: null,
  closedAt: null,
  dueAt: new Date('2026-03-05T01:00:00Z'),
  signDueAt: new Date('2026-03-02T03:00:00Z'),
  lon: 121.456789,
  lat: 31.276543,
  lastNote: '已联系张先生 13800001234',
  ...over,
});

describe('status', () => {
  it('is open until resolution and closed from then on', () => {
    expect(CASE_STATES.map((s) => [s, statusOf(s)])).toEqual([
      ['received', 'open'],
      ['dispatched', 'open'],
      ['returned', 'open'],
      ['signed', 'open'],
      ['in_progress', 'open'],
      ['resolved', 'closed'],
      ['called_back', 'closed'],
      ['rated', 'closed'],
      ['closed', 'closed'],
    ]);
    expect(statesOf(['closed'])).toEqual(['resolved', 'called_back', 'rated', 'closed']);
    expect(statesOf(['open', 'closed'])).toHaveLength(CASE_STATES.length);
  });
});

describe('services', () => {
  it('lists every category but the sensor alarm, in Chinese or English', () => {
    const zh = serviceList('zh-CN');
    expect(zh.find((s) => s.service_code === 'safety.sensor_alarm')).toBeUndefined();
    expect(zh.find((s) => s.service_code === 'city.sanitation')).toEqual({
      service_code: 'city.sanitation',
      service_name: '环境卫生',
      description: '承办单位签收后一般 24 个工作小时内办结。',
      metadata: true,
      type: 'realtime',
      keywords: 'litter, garbage, cleaning',
      group: '城市管理',
    });
    const en = serviceList('en').find((s) => s.service_code === 'utilities.manholes')!;
    expect(en).toMatchObject({ service_name: 'Manhole covers', group: 'Public utilities' });
    expect(en.description).toMatch(/^Usually resolved within \d+ working hours/);
    expect(new Set(zh.map((s) => s.service_code)).size).toBe(zh.length);
  });

  it('defines known services with the optional subject attribute and nothing for unknown ones', () => {
    expect(serviceDefinition('city.sanitation')).toEqual({
      service_code: 'city.sanitation',
      attributes: [
        {
          variable: true,
          code: 'subject',
          datatype: 'string',
          required: false,
          datatype_description: '一行文字，最多 200 个字符',
          order: 1,
          description: '标题（一句话概括反映的问题，可不填）',
        },
      ],
    });
    expect(serviceDefinition('city.sanitation', 'en')?.attributes[0].description).toBe(
      'Subject (the problem in one line, optional)',
    );
    expect(serviceDefinition('city.nope')).toBeNull();
    expect(serviceDefinition('safety.sensor_alarm')).toBeNull();
  });
});

describe('report text and media', () => {
  const sanitation = categoryByCode('city.sanitation')!;

  it('keeps media_url on the last line and takes it back out', () => {
    const text = reportText('垃圾没人清运', sanitation, 'https://img.example.cn/1.jpg');
    expect(splitMedia(text)).toEqual({ text: '垃圾没人清运', mediaUrl: 'https://img.example.cn/1.jpg' });
    expect(splitMedia('垃圾没人清运')).toEqual({ text: '垃圾没人清运', mediaUrl: null });
  });

  it("uses the category's name when the report has no description", () => {
    expect(reportText(null, sanitation, null)).toBe('环境卫生');
  });
});

describe('toOpen311Request', () => {
  it('gives callers with an api_key the full request', () => {
    expect(toOpen311Request(row(), 'zh-CN', 'keyed')).toEqual({
      service_request_id: 'GD-20260302-7',
      status: 'open',
      status_notes: '已联系张先生 13800001234',
      service_name: '环境卫生',
      service_code: 'city.sanitation',
      description: '阳曲路520弄门口垃圾堆了三天，我住1703室',
      agency_responsible: '临汾路街道办事处',
      service_notice: null,
      requested_datetime: '2026-03-02T01:00:00.000Z',
      updated_datetime: '2026-03-02T01:05:00.000Z',
      expected_datetime: '2026-03-02T03:00:00.000Z',
      address: '阳曲路520弄1703室',
      address_id: null,
      zipcode: null,
      lat: 31.276543,
      long: 121.456789,
      media_url: 'https://img.example.cn/7.jpg',
    });
  });

  it('gives anonymous callers no free text, no media, the street instead of the address and the cell centre', () => {
    const r = toOpen311Request(row(), 'zh-CN', 'public');
    expect(r).not.toHaveProperty('description');
    expect(r).not.toHaveProperty('media_url');
    expect(r).toMatchObject({
      status_notes: '已派发承办单位',
      address: '临汾路街道',
      lat: cellOf(row().lon!, row().lat!, 1000).centre[1],
      long: cellOf(row().lon!, row().lat!, 1000).centre[0],
    });
    // The public view's 1 km cell, not the exact point.
    expect(Math.abs(r.lat! - row().lat!)).toBeLessThan(0.0046);
    expect(r.lat).not.toBe(row().lat);
    const text = JSON.stringify(r);
    for (const secret of ['1703', '13800001234', '张先生', '垃圾', 'img.example.cn'])
      expect(text).not.toContain(secret);
  });

  it('speaks English on request', () => {
    expect(toOpen311Request(row(), 'en', 'public')).toMatchObject({
      service_name: 'Street cleaning and litter',
      agency_responsible: 'Linfen Road Subdistrict Office',
      address: 'Linfen Road Subdistrict',
      status_notes: 'Dispatched to the responsible unit',
    });
  });

  it('dates a closed request by its closing and expects signed work by the resolution deadline', () => {
    const closed = toOpen311Request(
      row({
        state: 'closed',
        resolvedAt: new Date('2026-03-03T00:00:00Z'),
        closedAt: new Date('2026-03-04T00:00:00Z'),
      }),
      'zh-CN',
      'public',
    );
    expect(closed).toMatchObject({ status: 'closed', updated_datetime: '2026-03-04T00:00:00.000Z' });
    const resolved = toOpen311Request(
      row({ state: 'resolved', resolvedAt: new Date('2026-03-03T00:00:00Z') }),
      'zh-CN',
      'public',
    );
    expect(resolved.updated_datetime).toBe('2026-03-03T00:00:00.000Z');
    expect(toOpen311Request(row({ state: 'signed' }), 'zh-CN', 'public').expected_datetime).toBe(
      '2026-03-05T01:00:00.000Z',
    );
  });

  it('keeps nulls for unplaced, undispatched requests and caps the description at 4,000 characters', () => {
    const r = toOpen311Request(
      row({
        state: 'received',
        lon: null,
        lat: null,
        streetName: null,
        address: null,
        departmentName: null,
        signDueAt: null,
        dueAt: null,
        lastNote: null,
        description: 'x'.repeat(5000),
      }),
      'zh-CN',
      'keyed',
    );
    expect(r).toMatchObject({
      lat: null,
      long: null,
      address: null,
      agency_responsible: null,
      expected_datetime: null,
    });
    expect(r.status_notes).toBe('已受理，待分派');
    expect(r.description).toHaveLength(4000);
  });
});
