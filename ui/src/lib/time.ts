// Timestamps arrive from Rust as RFC 3339 UTC; they are shown in the user's locale and zone.

/** Locale date and time, or the raw text when it does not parse (never "Invalid Date"). */
export function formatTimestamp(at: string, locale?: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}
