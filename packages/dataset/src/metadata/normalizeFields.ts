import type { Sex } from './sourceRecord';

/**
 * Normalises a sex field: `M`/`Male` -> `M`, `F`/`Female` -> `F`, anything else (blank, `O`, `?`) -> `null`.
 *
 * @example normalizeSex(' male ') // 'M'
 */
export function normalizeSex(value: string | undefined | null): Sex {
  const v = (value ?? '').trim().toUpperCase();
  if (v === 'M' || v === 'MALE') return 'M';
  if (v === 'F' || v === 'FEMALE') return 'F';
  return null;
}

/**
 * Parses an age in years: `65`, `65.0`, or a DICOM age string (`043Y`, `006M`, `010W`, `003D`, converted to
 * fractional years). Blank, negative or unparsable values give `null`.
 *
 * @example parseAgeYears('006M') // 0.5
 */
export function parseAgeYears(value: string | number | undefined | null): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const v = value.trim();
  if (v === '') return null;
  const dicom = /^(\d{1,3})\s*([DWMY])$/i.exec(v);
  if (dicom) {
    const n = Number(dicom[1]);
    const per = { D: 365.25, W: 365.25 / 7, M: 12, Y: 1 }[(dicom[2] ?? 'Y').toUpperCase() as 'D' | 'W' | 'M' | 'Y'];
    return n / per;
  }
  if (!/^\d+(\.\d+)?$/.test(v)) return null;
  return Number(v);
}

/**
 * Normalises a modality: the DICOM projection-radiography codes `CR`, `DX`, `DR`, and `XR`/`X-ray` in any case,
 * become `X-ray`; `CT` stays `CT`; anything else is returned trimmed.
 *
 * @example normalizeModality('CR') // 'X-ray'
 */
export function normalizeModality(value: string | undefined | null): string {
  const v = (value ?? '').trim();
  const u = v.toUpperCase().replace(/[^A-Z]/g, '');
  if (u === 'CR' || u === 'DX' || u === 'DR' || u === 'XR' || u === 'XRAY') return 'X-ray';
  if (u === 'CT') return 'CT';
  return v;
}
