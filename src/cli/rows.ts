/** Query results on a terminal: a Markdown-style table, or CSV (RFC 4180 quoting). */

const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** `| a | b |` rows under a header, columns padded to their widest value. */
export function formatRows(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line([...columns]), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

export function formatCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const field = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return [columns.map(field).join(','), ...rows.map((r) => columns.map((c) => field(cell(r[c]))).join(','))].join('\r\n') + '\r\n';
}
