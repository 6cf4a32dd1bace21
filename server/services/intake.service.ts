// Intake: one path for every citizen report (operator form, Open311, the simulator). It classifies the
// text, places the location (point → street and grid cell; address → street; else unplaced and flagged),
// links a repeat report of a known problem to its open case, and otherwise opens a case that is
// dispatched to the category's department straight away — or left in the triage queue when the
// classifier is unsure or the place is unknown.
import { randomUUID } from 'node:crypto';
import type { IntakeResult, Placement, TicketInput } from '../../src/lib/api/cases';
import type { CasesRepository, DuplicateCandidate } from '../db/repositories/cases.repository';
import { categoryByCode, type CaseCategory } from '../domain/case-categories';
import { placeAddress, type PlaceableStreet } from '../domain/address-placement';
import type { CaseActor, CaseService } from './case.service';

/** What intake needs of the complaint classifier. */
export interface ComplaintClassifier {
  classify(
    text: string,
    subject?: string,
  ): {
    category: string;
    confidence: number;
    top: { category: string; score: number }[];
  };
  learn(text: string, category: string, subject?: string): void;
}

/** A new report as duplicate detection sees it. */
export interface ReportForMatching {
  text: string;
  category: string;
  lon: number;
  lat: number;
  at: Date;
}

export interface IntakeDeps {
  cases: Pick<
    CasesRepository,
    | 'transaction'
    | 'locate'
    | 'streetsForPlacement'
    | 'departmentFor'
    | 'duplicateCandidates'
    | 'insertTicket'
    | 'linkTicket'
    | 'insertCorrection'
  >;
  caseService: Pick<CaseService, 'open'>;
  classifier: ComplaintClassifier;
  /** Roads per street code (from the city facts), for placing addresses. */
  roadsByStreetCode: ReadonlyMap<string, readonly string[]>;
  /** Picks the case a report repeats, or null (see domain/duplicates). */
  matchDuplicate: (report: ReportForMatching, candidates: DuplicateCandidate[]) => DuplicateCandidate | null;
  /** Below this classifier confidence a case waits in the triage queue. */
  triageBelow: number;
  /** How far back and how far around a repeat report is looked for. */
  duplicateWindowDays: number;
  duplicateRadiusM: number;
  onTicket?: (t: {
    ticketId: number;
    caseCode: string;
    duplicate: boolean;
    text: string;
    streetId: number | null;
    at: Date;
  }) => void;
  onCaseChange?: (n: {
    id: number;
    code: string;
    state: string;
    departmentId: number | null;
    at: Date;
  }) => void;
}

/** Refusals intake gives (the route maps them to 400). */
export class IntakeError extends Error {}

export function intakeService(deps: IntakeDeps) {
  let streets: (PlaceableStreet & { lon: number | null; lat: number | null })[] | null = null;

  async function placeable() {
    if (!streets) {
      const rows = await deps.cases.streetsForPlacement();
      streets = rows.map((r) => ({ ...r, roads: deps.roadsByStreetCode.get(r.code) ?? [] }));
    }
    return streets;
  }

  return {
    /** Forgets the cached streets (after a boundary import). */
    reloadStreets(): void {
      streets = null;
    },

    async submit(
      input: TicketInput,
      actor: CaseActor,
      now: Date,
      source = input.channel === 'open311' ? 'open311' : 'hotline',
    ): Promise<IntakeResult> {
      const text = input.text.trim();
      if (text.length === 0) throw new IntakeError('text must not be empty');
      const subject = input.subject?.trim() || undefined;

      // Classification: the operator's choice wins; the model's guess is still kept with the ticket.
      const guess = deps.classifier.classify(text, subject);
      let category: CaseCategory | undefined;
      if (input.category) {
        category = categoryByCode(input.category);
        if (!category) throw new IntakeError(`unknown category "${input.category}"`);
      } else category = categoryByCode(guess.category) ?? categoryByCode('other.consultation')!;
      const operatorChose = Boolean(input.category);
      // Only the service desk's choices teach the model; a citizen's Open311 service_code does not.
      const teaches =
        operatorChose &&
        input.category !== guess.category &&
        (actor.role === 'officer' || actor.role === 'admin');

      // Placement.
      let placement: Placement = 'unplaced';
      let lon: number | null = null;
      let lat: number | null = null;
      if (input.lon !== undefined && input.lon !== null && input.lat !== undefined && input.lat !== null) {
        placement = 'point';
        lon = input.lon;
        lat = input.lat;
      } else if (input.address) {
        const street = placeAddress(input.address, await placeable());
        if (street && street.lon !== null && street.lat !== null) {
          placement = 'address';
          lon = street.lon;
          lat = street.lat;
        }
      }
      const where = lon !== null && lat !== null ? await deps.cases.locate(lon, lat) : null;
      const streetId = where?.streetId ?? null;
      const gridCellId = where?.gridCellId ?? null;
      const priority = input.priority ?? category.priority;
      const token = randomUUID();
      const confident = operatorChose || guess.confidence >= deps.triageBelow;
      const triage = !confident || placement === 'unplaced';

      const result = await deps.cases.transaction(async (tx) => {
        const ticketId = await deps.cases.insertTicket(
          {
            receivedAt: now,
            channel: input.channel,
            callerName: input.callerName ?? null,
            callerPhone: input.callerPhone ?? null,
            callerEmail: input.callerEmail ?? null,
            text,
            address: input.address ?? null,
            lon,
            lat,
            placement,
            streetId,
            gridCellId,
            source,
            category: category.code,
            confidence: operatorChose ? null : guess.confidence,
            suggestions: guess.top,
            token,
            takenBy: actor.userId,
          },
          tx,
        );
        if (teaches)
          await deps.cases.insertCorrection(
            { ticketId, text, predicted: guess.category, corrected: category.code, userId: actor.userId },
            now,
            tx,
          );

        // A repeat report of an open problem nearby joins its case.
        if (lon !== null && lat !== null) {
          const since = new Date(now.getTime() - deps.duplicateWindowDays * 86_400_000);
          const candidates = await deps.cases.duplicateCandidates(
            { lon, lat, category: category.code, since, radiusM: deps.duplicateRadiusM },
            tx,
          );
          const match = deps.matchDuplicate({ text, category: category.code, lon, lat, at: now }, candidates);
          if (match) {
            await deps.cases.linkTicket(ticketId, match.id, true, tx);
            return {
              ticketId,
              caseId: match.id,
              caseCode: match.code,
              duplicate: true,
              departmentId: null,
              state: null,
            };
          }
        }

        const departmentId = triage
          ? null
          : await deps.cases.departmentFor(streetId, category.departmentKey, tx);
        const opened = await deps.caseService.open(
          {
            title: subject ?? titleOf(text),
            description: text,
            category: category.code,
            priority,
            source,
            triage: triage || departmentId === null,
            address: input.address ?? null,
            streetId,
            gridCellId,
            sensorId: null,
            lon,
            lat,
            createdAt: now,
          },
          departmentId === null ? null : { departmentId, gridCellId },
          actor,
          tx,
        );
        await deps.cases.linkTicket(ticketId, opened.id, false, tx);
        return {
          ticketId,
          caseId: opened.id,
          caseCode: opened.code,
          duplicate: false,
          departmentId,
          state: opened.state,
        };
      });

      if (teaches) deps.classifier.learn(text, category.code, subject);
      deps.onTicket?.({
        ticketId: result.ticketId,
        caseCode: result.caseCode,
        duplicate: result.duplicate,
        text,
        streetId,
        at: now,
      });
      deps.onCaseChange?.({
        id: result.caseId,
        code: result.caseCode,
        state: result.state ?? 'linked',
        departmentId: result.departmentId,
        at: now,
      });
      return {
        ticketId: result.ticketId,
        caseId: result.caseId,
        caseCode: result.caseCode,
        duplicate: result.duplicate,
        category: category.code,
        confidence: operatorChose ? null : guess.confidence,
        suggestions: guess.top,
        placement,
        streetName:
          streetId === null ? null : ((await placeable()).find((st) => st.id === streetId)?.name ?? null),
        triage: !result.duplicate && (triage || result.departmentId === null),
        departmentId: result.departmentId,
        token,
      };
    },
  };
}

/** A case title: the first clause of the complaint, at most 30 characters. */
export function titleOf(text: string): string {
  const first = text.split(/[。！？!?\n]/)[0].trim() || text.trim();
  return first.length > 30 ? `${first.slice(0, 29)}…` : first;
}

export type IntakeService = ReturnType<typeof intakeService>;
