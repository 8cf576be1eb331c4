/**
 * Where a record of the scope and API registries comes from, as the admin API shows it: defined here
 * (stored, changeable, with its times) or fixed (built in or from configuration: read-only, no times).
 */

/** A stored record's provenance: defined through the admin API or pages. */
export function storedProvenance(record: { createdAt: number; updatedAt: number }) {
  return {
    source: 'admin' as const,
    read_only: false,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

/** A built-in or configured record's provenance: never changed here. */
export function fixedProvenance<Source extends 'built_in' | 'configuration'>(source: Source) {
  return { source, read_only: true, created_at: null, updated_at: null };
}
