/**
 * Formats one CSV field (RFC 4180), quoting it when it holds a comma, quote, CR or LF, or starts or ends with white
 * space (so that a reader that trims keeps it). Browser-safe. Written by hand: one regular expression, where a CSV
 * writer library would be a dependency (csv-parse, used to read, does not write).
 *
 * @example formatCsvField('a, "b"') // '"a, ""b"""'
 */
export function formatCsvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}
