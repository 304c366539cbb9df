const DAYS_PER_YEAR = 365.25;
const UNIT_IN_YEARS: Record<string, number> = { Y: 1, M: 1 / 12, W: 7 / DAYS_PER_YEAR, D: 1 / DAYS_PER_YEAR };

/**
 * Parses a DICOM Age String (AS, PS3.5 6.2: `nnnD`, `nnnW`, `nnnM` or `nnnY`) into years, fractional for
 * days, weeks and months. Lenient about what real files contain: a missing unit means years (`"58"`),
 * surrounding spaces are ignored. Returns `undefined` for an empty or malformed value.
 *
 * @example parseDicomAge('081Y') // 81
 * @example parseDicomAge('006M') // 0.5
 */
export function parseDicomAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d{1,3})\s*([DWMY])?\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = (match[2] ?? 'Y').toUpperCase();
  return Number(match[1]) * UNIT_IN_YEARS[unit];
}
