// The request bodies of the case and intake endpoints, validated at the edge with zod.
import { z } from 'zod';
import { CASE_ACTIONS, RATINGS } from '../domain/case-workflow';

const note = z.string().max(2000, 'must be at most 2000 characters');
const priority = z.union([z.literal(1), z.literal(2), z.literal(3)]);

/** POST /api/tickets: the hotline operator's form. */
export const ticketBody = z
  .object({
    channel: z.enum(['phone', 'web', 'app', 'open311', 'letter']),
    callerName: z.string().trim().max(50, 'must be at most 50 characters').nullish(),
    callerPhone: z
      .string()
      .trim()
      .regex(/^[0-9+\-\s*]{3,20}$/, 'must be a phone number (digits, +, -)')
      .nullish()
      .or(z.literal('')),
    callerEmail: z.string().trim().email('must be an e-mail address').nullish().or(z.literal('')),
    text: z
      .string()
      .trim()
      .min(4, 'must say what happened (at least 4 characters)')
      .max(4000, 'must be at most 4000 characters'),
    subject: z
      .string()
      .trim()
      .max(200, 'must be at most 200 characters')
      .regex(/^[^\r\n]*$/, 'must be one line')
      .nullish(),
    address: z.string().trim().max(200, 'must be at most 200 characters').nullish(),
    lon: z
      .number()
      .min(-180, 'must be between -180 and 180')
      .max(180, 'must be between -180 and 180')
      .nullish(),
    lat: z.number().min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90').nullish(),
    category: z.string().max(60).nullish(),
    priority: priority.optional(),
  })
  .refine((b) => (b.lon === null || b.lon === undefined) === (b.lat === null || b.lat === undefined), {
    message: 'lon and lat must be given together',
    path: ['lon'],
  });

/** POST /api/cases/:code/actions. */
export const actionBody = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('dispatch'),
    departmentId: z.number().int().positive(),
    gridCellId: z.number().int().positive().nullish(),
    note: note.optional(),
  }),
  z.object({
    action: z.literal('reassign'),
    departmentId: z.number().int().positive(),
    gridCellId: z.number().int().positive().nullish(),
    note,
  }),
  z.object({ action: z.literal('sign'), note: note.optional() }),
  z.object({ action: z.literal('start'), note: note.optional() }),
  z.object({ action: z.literal('return'), note }),
  z.object({ action: z.literal('resolve'), note }),
  z.object({ action: z.literal('request_extension'), hours: z.number().positive().max(240), note }),
  z.object({ action: z.literal('decide_extension'), approve: z.boolean(), note: note.optional() }),
  z.object({ action: z.literal('urge'), note }),
  z.object({ action: z.literal('call_back'), note }),
  z.object({ action: z.literal('rate'), rating: z.enum(RATINGS), note: note.optional() }),
  z.object({ action: z.literal('close'), note: note.optional() }),
  z.object({ action: z.literal('reopen'), note }),
  z.object({ action: z.literal('dismiss'), note }),
  z.object({
    action: z.literal('reclassify'),
    category: z.string().max(60),
    priority: priority.optional(),
    note: note.optional(),
  }),
  z.object({
    action: z.literal('place'),
    lon: z.number().min(-180, 'must be between -180 and 180').max(180, 'must be between -180 and 180'),
    lat: z.number().min(-90, 'must be between -90 and 90').max(90, 'must be between -90 and 90'),
    note: note.optional(),
  }),
]);

/** The version the user saw travels with every action. */
export const actionEnvelope = z.object({ version: z.number().int().min(0).optional() }).passthrough();

export const KNOWN_ACTIONS: readonly string[] = CASE_ACTIONS;
