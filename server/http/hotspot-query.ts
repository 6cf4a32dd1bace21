// The hot-spot endpoints' query string → a HotspotQuery, with a 400 naming any bad parameter.
import { error } from '@sveltejs/kit';
import { categoryByCode, groupByCode } from '../domain/case-categories';
import { SENSOR_FAMILIES } from '../domain/city-facts';
import type { HotspotQuery } from '../services/hotspot.service';

export const WINDOW_DAYS = [1, 7, 14, 30] as const;
export const CELL_METRES = [250, 500, 1000] as const;

export function hotspotQueryOf(params: URLSearchParams, now: Date): HotspotQuery {
  const source = params.get('source') || 'tickets';
  if (source !== 'tickets' && source !== 'cases' && source !== 'alarms')
    error(400, `source must be tickets, cases or alarms, got "${source.slice(0, 20)}"`);
  const days = Number(params.get('days') || 7);
  if (!(WINDOW_DAYS as readonly number[]).includes(days))
    error(400, `days must be one of ${WINDOW_DAYS.join(', ')}`);
  const cell = Number(params.get('cell') || 500);
  if (!(CELL_METRES as readonly number[]).includes(cell))
    error(400, `cell must be one of ${CELL_METRES.join(', ')} (metres)`);
  const category = params.get('category') || undefined;
  if (category) {
    const known =
      source === 'alarms'
        ? SENSOR_FAMILIES.some((f) => f.code === category)
        : Boolean(categoryByCode(category) || groupByCode(category));
    if (!known)
      error(400, `unknown ${source === 'alarms' ? 'sensor family' : 'category'} "${category.slice(0, 40)}"`);
  }
  const toText = params.get('to');
  const to = toText ? new Date(toText) : now;
  if (Number.isNaN(to.getTime())) error(400, `to must be an ISO date-time, got "${toText!.slice(0, 40)}"`);
  return { source, category, days, cellMetres: cell, to };
}
