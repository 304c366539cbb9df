/**
 * sharp's error text in words, on one line. libvips repeats its loader's messages (`VipsJpeg: ...` three times),
 * sometimes leaves "corrupt header:" with nothing after it, and with `failOn: 'warning'` says only "Warning
 * treated as error due to failOn setting" before the warning itself. No library maps these; written here once.
 *
 * @example describeSharpError(new Error('VipsJpeg: premature end of JPEG image')) // 'truncated or damaged image data (premature end of JPEG image)'
 */
export function describeSharpError(cause: unknown): string {
  const raw = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  const lines = raw.split('\n').map((l) => l.trim()).filter(Boolean);
  const first = lines[0] ?? '';
  // Only sharp's own "file is missing" (or the system's ENOENT) means absent: "missing SOS marker" is corruption.
  if (code === 'ENOENT' || /^Input file is missing/i.test(first)) return 'file not found';
  if (/unsupported image format/i.test(first)) return 'not a PNG, JPEG or other readable image format';
  const details = [
    ...new Set(
      lines
        .flatMap((l) => l.split(/(?=\bVips\w*: )/))
        .map((l) => l.replace(/^(Input (buffer|file) has corrupt header|Warning treated as error due to failOn setting)\s*:?\s*/i, ''))
        .map((l) => l.replace(/^vips\w*:\s*/i, '').trim())
        .filter((l) => l !== ''),
    ),
  ];
  const detail = details.length > 0 ? ` (${details.join('; ')})` : '';
  if (/corrupt header/i.test(first)) return `corrupt or truncated image header${detail || ' (no further detail from the decoder)'}`;
  if (/failOn/i.test(first)) return `damaged image data: the decoder warned${detail || ' (without saying what)'}`;
  if (/premature end|truncat/i.test(raw)) return `truncated or damaged image data${detail}`;
  if (/read error|corrupt|bogus|invalid|not defined|extraneous/i.test(raw)) return `corrupt image data${detail}`;
  return details.join('; ') || 'the decoder failed without saying why';
}
