// English strings of sign-in throttling and of the admins' sign-in audit (spread into en.ts).
import type { loginsZhCN } from './logins.zh-CN';

export const loginsEn: Record<keyof typeof loginsZhCN, string> = {
  'login.error.throttled': 'Too many attempts, try again in {seconds} seconds',
  'login.error.refused': 'Too many attempts, try again in {minutes} minutes',
  'login.error.refusedMinute': 'Too many attempts, try again in a minute',

  'admin.loginsLink': 'View sign-in attempts',
  'logins.title': 'Sign-in attempts',
  'logins.intro':
    'Every sign-in attempt: login name, client address, time and outcome (never the password), newest first. Kept {days} days.',
  'logins.filter.outcome': 'Outcome',
  'logins.filter.all': 'All outcomes',
  'logins.filter.login': 'Login name',
  'logins.apply': 'Filter',
  'logins.empty': 'No sign-in attempts match.',
  'logins.page': 'Page {page} of {pages}, {total} in all',
  'logins.previous': 'Previous',
  'logins.next': 'Next',
  'logins.col.at': 'Time',
  'logins.col.login': 'Login name',
  'logins.col.account': 'Account',
  'logins.col.address': 'Client address',
  'logins.col.outcome': 'Outcome',
  'logins.outcome.ok': 'Signed in',
  'logins.outcome.wrong_password': 'Wrong password',
  'logins.outcome.unknown_user': 'Unknown user',
  'logins.outcome.disabled': 'Account disabled',
  'logins.outcome.throttled': 'Too soon (back-off)',
  'logins.outcome.refused': 'Refused (limit reached)',
};
