// A critical alarm's case goes through the same path as a citizen's report: caseService.open, inside the
// alarm's transaction, received and then dispatched by the system to the sensor's owner department.
import type { CaseOpener } from '../db/repositories/alarms.repository';
import { SENSOR_ALARM_CATEGORY } from '../domain/case-categories';
import type { CaseService } from './case.service';

export function alarmCaseOpener(cases: Pick<CaseService, 'open'>): CaseOpener {
  return (d, now, tx) =>
    cases.open(
      {
        code: d.code,
        title: d.title,
        description: d.description,
        systemText: d.systemText,
        category: SENSOR_ALARM_CATEGORY,
        priority: d.priority,
        source: 'sensor',
        triage: d.departmentId === null,
        address: null,
        streetId: d.streetId,
        gridCellId: d.gridCellId,
        sensorId: d.sensorId,
        lon: d.lon,
        lat: d.lat,
        createdAt: now,
      },
      d.departmentId === null ? null : { departmentId: d.departmentId, gridCellId: d.gridCellId },
      { userId: null, role: 'system', departmentId: null },
      tx,
      d.note,
    );
}
