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

/**
 * What a spreadsheet reads as the start of a formula: =, +, - and @ (and the
 * tab or carriage return Excel skips before them), at the start of the cell
 * or of any part a `;`-separator locale or a paste splits it into.
 */
const FORMULA_START =
  /(^|[;\t\r\n])([\t\r ]*)([=+\-@\uff1d\uff0b\uff0d\uff20])/g;

/**
 * Every cell is quoted, so no separator in the text (`,` here, `;` in other
 * locales) splits it, and a formula trigger is defused with a leading `'`,
 * which spreadsheets take as "this is text" (OWASP CSV injection).
 */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '""';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const safe = text.replace(FORMULA_START, "$1$2'$3");
  return `"${safe.replace(/"/g, '""')}"`;
}

/** The audit trail as CSV (RFC 4180), one event per row. */
export function eventsToCsv(events: RequestEvent[]): string {
  const lines = [COLUMNS.map(cell).join(',')];
  for (const e of events) {
    lines.push(COLUMNS.map(c => cell(e[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
