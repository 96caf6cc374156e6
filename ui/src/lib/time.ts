// Timestamps arrive from Rust as RFC 3339 UTC; they are shown in the user's locale and zone.

/** Locale date and time, or the raw text when it does not parse (never "Invalid Date"). */
export function formatTimestamp(at: string, locale?: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * Locale date and time to the second (steps of one task are often seconds apart). A recorded
 * time is whatever the recorder wrote: only an RFC 3339 date is formatted (`Date` would read
 * `line 3` as a day in 2001), anything else is shown as it came.
 */
export function formatSeconds(at: string, locale?: string): string {
  const date = /^\d{4}-\d{2}-\d{2}/.test(at) ? new Date(at) : new Date(NaN);
  if (Number.isNaN(date.getTime())) return at;
  return date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'medium' });
}
