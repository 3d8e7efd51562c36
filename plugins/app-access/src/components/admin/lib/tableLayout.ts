/**
 * Keeps a header or button on one line. At 1280 px the admin tables'
 * narrow columns broke "Add to catalog" and "Request" mid-word.
 */
export const NO_WRAP = { whiteSpace: 'nowrap' } as const;

/** A date filter wide enough for "mm/dd/yyyy" and the picker icon, not "mm/dc". */
export const DATE_FIELD = { minWidth: 160 } as const;
