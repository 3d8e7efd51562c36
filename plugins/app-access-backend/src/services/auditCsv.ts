import { RequestEvent } from '@app-access/plugin-app-access-common';

const COLUMNS: (keyof RequestEvent)[] = [
  'id',
  'at',
  'actor',
  'type',
  'requestId',
  'appId',
  'fromStatus',
  'toStatus',
  'level',
  'comment',
  'data',
];

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // Quote everything that could break a row, and defuse spreadsheet formulas.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text
    ? `"${safe.replace(/"/g, '""')}"`
    : safe;
}

/** The audit trail as CSV (RFC 4180), one event per row. */
export function eventsToCsv(events: RequestEvent[]): string {
  const lines = [COLUMNS.join(',')];
  for (const e of events) {
    lines.push(COLUMNS.map(c => cell(e[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
