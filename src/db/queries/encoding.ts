// Column encodings applied by hand in the raw statements, exactly as drizzle's column modes store them
// (so rows written raw read back through drizzle unchanged).

/** JSON text column (`mode: "json"`): SQL NULL for null or undefined. */
export const jsonText = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

/** Boolean column (`mode: "boolean"`). */
export const boolInt = (value: boolean): 0 | 1 => (value ? 1 : 0);
