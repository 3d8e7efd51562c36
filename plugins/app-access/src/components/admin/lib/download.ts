/** Saves a blob as a file through a temporary link, as a download. */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.style.display = 'none';
    document.body.appendChild(a);
    a.click();
    a.remove();
  } finally {
    // Revoked after the click has been handled, not before.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

/** A calendar day (YYYY-MM-DD, local) as the ISO time it starts or ends. */
export function dayToIso(
  day: string,
  edge: 'start' | 'end',
): string | undefined {
  const m = day.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (!m) {
    return undefined;
  }
  const date =
    edge === 'start'
      ? new Date(+m[1], +m[2] - 1, +m[3], 0, 0, 0, 0)
      : new Date(+m[1], +m[2] - 1, +m[3], 23, 59, 59, 999);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
