// The words the Open311 API says to outside clients, in Chinese and English. They live here rather than in
// the UI's i18n catalogue because they are part of a server response, not of a page.
import type { CaseState } from '../domain/case-workflow';
import type { Open311Lang } from './types';

interface Open311Messages {
  /** Public status_notes: a fixed label per case state, never an officer's free text. */
  states: Record<CaseState, string>;
  /** A service's description: what to expect. */
  serviceDescription: (hours: number) => string;
  /** service_notice of a new report dispatched to a unit. */
  dispatched: (agency: string) => string;
  /** service_notice of a new report waiting for a duty officer. */
  triage: string;
  /** service_notice of a repeat report added to an open case. */
  duplicate: (code: string) => string;
  /** The `subject` attribute's question and its datatype description. */
  subject: string;
  subjectType: (max: number) => string;
}

const zh: Open311Messages = {
  states: {
    received: '已受理，待分派',
    dispatched: '已派发承办单位',
    returned: '承办单位退回，重新分派中',
    signed: '承办单位已签收',
    in_progress: '正在处置',
    resolved: '已办结',
    called_back: '已回访',
    rated: '已评价',
    closed: '已结案',
  },
  serviceDescription: (hours) => `承办单位签收后一般 ${hours} 个工作小时内办结。`,
  dispatched: (agency) => `已受理，并派发至${agency}办理。`,
  triage: '已受理，值班员将尽快分派承办单位。',
  duplicate: (code) => `该问题已有工单 ${code} 正在办理，您的反映已并入该工单。`,
  subject: '标题（一句话概括反映的问题，可不填）',
  subjectType: (max) => `一行文字，最多 ${max} 个字符`,
};

const en: Open311Messages = {
  states: {
    received: 'Received, waiting to be assigned',
    dispatched: 'Dispatched to the responsible unit',
    returned: 'Returned by the unit, being reassigned',
    signed: 'Accepted by the responsible unit',
    in_progress: 'Work in progress',
    resolved: 'Resolved',
    called_back: 'Reporter called back',
    rated: 'Rated by the reporter',
    closed: 'Closed',
  },
  serviceDescription: (hours) =>
    `Usually resolved within ${hours} working hours after the responsible unit accepts it.`,
  dispatched: (agency) => `Received and dispatched to ${agency}.`,
  triage: 'Received; a duty officer will assign it to the responsible unit.',
  duplicate: (code) =>
    `This problem was already reported as ${code}, which is being worked on; your report was added to it.`,
  subject: 'Subject (the problem in one line, optional)',
  subjectType: (max) => `one line of text, at most ${max} characters`,
};

/** The messages in a language. */
export function messagesFor(lang: Open311Lang): Open311Messages {
  return lang === 'en' ? en : zh;
}
