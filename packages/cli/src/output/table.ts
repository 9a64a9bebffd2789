/** Plain aligned columns for terminal listings (models, workers). */

export type Align = "left" | "right";

export interface Column<T> {
  header: string;
  value(row: T): string;
  align?: Align;
}

/** Renders rows as text columns separated by two spaces; the last column is never padded. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const last = i === values.length - 1;
        if (columns[i]?.align === "right") return v.padStart(widths[i] ?? 0);
        return last ? v : v.padEnd(widths[i] ?? 0);
      })
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join("\n");
}

/** `12.3` → `12.3`, null → `-`. */
export function num(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "-";
  return digits === 0 ? String(Math.round(value)) : value.toFixed(digits);
}
