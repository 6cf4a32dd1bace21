// English strings of the leaders' wall (/wall), its display-token login and the admin's token list
// (spread into en.ts).
import type { wallZhCN } from './wall.zh-CN';

export const wallEn: Record<keyof typeof wallZhCN, string> = {
  'nav.wall': 'Wall',
  'role.display': 'Wall display',

  'wall.title': 'City operations',
  'wall.label': "Leaders' wall",
  'wall.scene.city': 'Whole district',
  'wall.scene.hotspot': 'Hot-spot · {name}',
  'wall.scene.count': '{n} / {total}',
  'wall.pause': 'Pause rotation',
  'wall.resume': 'Resume rotation',
  'wall.paused': 'Paused',
  'wall.keyHint': 'Space: pause / resume',
  'wall.stale': 'Data stopped updating · last update {time}',
  'wall.staleNever': 'No data received yet',
  'wall.reconnecting': 'Reconnecting by itself; missed data is caught up on return',
  'wall.live': 'Live',
  'wall.connecting': 'Connecting…',
  'wall.lastUpdate': 'Updated {time}',
  'wall.unavailable': 'Unavailable',

  'wall.alarms.title': 'Open alarms',
  'wall.alarms.open': 'Unacknowledged',
  'wall.alarms.acknowledged': 'Being handled',
  'wall.alarms.critical': 'Critical',
  'wall.alarms.none': 'No open alarms',
  'wall.alarms.severity.1': 'Warning',
  'wall.alarms.severity.2': 'Critical',

  'wall.cases.title': 'Case deadlines',
  'wall.cases.overdue': 'Overdue',
  'wall.cases.dueSoon': 'Due soon',
  'wall.cases.open': 'Open',
  'wall.cases.none': 'No case is overdue or due soon',
  'wall.cases.unassigned': 'Not yet dispatched',
  'wall.cases.unitRow': '{overdue} cases overdue · {dueSoon} due soon',

  'wall.hotline.title': "Today's 12345 hotline",
  'wall.hotline.today': 'Calls today',
  'wall.hotline.normal': 'Normal by now: {n} calls',
  'wall.hotline.above': '{pct} above normal',
  'wall.hotline.below': '{pct} below normal',
  'wall.hotline.same': 'As normal',
  'wall.hotline.noBaseline': 'Not enough history yet to compare',
  'wall.hotline.legendToday': 'Today per hour',
  'wall.hotline.legendNormal': 'Normal (same weekday, {weeks} weeks before)',

  'wall.hotspots.title': 'Hot-spots, last {days} days',
  'wall.hotspots.none': 'No significant hot-spot',
  'wall.hotspots.count': '{n} reports',
  'wall.hotspots.baseline': 'before {n} reports',

  'wall.ranking.title': 'Department ranking · {month}',
  'wall.ranking.none': 'No scores this month yet',
  'wall.ranking.score': '{score} pts',

  'wall.revoked.title': "This display's access has ended",
  'wall.revoked.text':
    'Its display token was revoked or has expired; the picture no longer updates. Ask an admin for a new token (Admin → Wall display tokens) and open the new connect address on this screen.',

  'wall.connect.title': 'Connect a wall display',
  'wall.connect.intro':
    "Enter the display token an admin gave you to connect this screen to the leaders' wall. The token is read-only.",
  'wall.connect.token': 'Display token',
  'wall.connect.submit': 'Connect',
  'wall.connect.refused.missing': 'Enter a display token.',
  'wall.connect.refused.malformed': 'This is not a display token (they start with cnd_).',
  'wall.connect.refused.unknown': 'This display token is unknown. Check it or ask an admin for a new one.',
  'wall.connect.refused.revoked': 'This display token was revoked at {at}. Ask an admin for a new one.',
  'wall.connect.refused.expired': 'This display token expired at {at}. Ask an admin for a new one.',

  'admin.displayTokens.title': 'Wall display tokens',
  'admin.displayTokens.intro':
    'A display token signs an unattended wall screen in with the read-only "wall display" role: map, alarms, case deadline totals, hot-spots and ranking; no actions and no personal data. The token is shown once, at creation; after revoking, a display using it is signed out at its next request.',
  'admin.displayTokens.name': 'Name (e.g. Command hall, left screen)',
  'admin.displayTokens.expires': 'Valid for',
  'admin.displayTokens.never': 'No end',
  'admin.displayTokens.days': '{n} days',
  'admin.displayTokens.create': 'Create token',
  'admin.displayTokens.created':
    'Token created. It is shown this once: copy it now and open the connect address below on the display:',
  'admin.displayTokens.token': 'Token',
  'admin.displayTokens.connectUrl': 'Connect address',
  'admin.displayTokens.none': 'No display tokens yet',
  'admin.displayTokens.col.name': 'Name',
  'admin.displayTokens.col.state': 'State',
  'admin.displayTokens.col.createdBy': 'Created by',
  'admin.displayTokens.col.createdAt': 'Created',
  'admin.displayTokens.col.lastUsed': 'Last used',
  'admin.displayTokens.col.expires': 'Ends',
  'admin.displayTokens.state.active': 'Active',
  'admin.displayTokens.state.revoked': 'Revoked',
  'admin.displayTokens.state.expired': 'Expired',
  'admin.displayTokens.revoke': 'Revoke',
  'admin.displayTokens.revokeConfirm':
    'Revoke the token "{name}"? The display using it loses access at once.',
  'admin.displayTokens.failed': 'That did not work: {message}',
};
