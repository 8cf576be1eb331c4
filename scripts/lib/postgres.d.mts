/** Types for scripts/lib/postgres.mjs (imported by the vitest global setup). */
export const PG_MIGRATIONS: string;
export function findPgBin(): string | null;
export function freePort(): Promise<number>;
export interface Cluster {
  /** `postgres://user:password@127.0.0.1:port/database` */
  url: string;
  /** The URL of another database of the cluster (see `extraDatabases`). */
  urlOf(database: string): string;
  port: number;
  stop(): Promise<void>;
}
export function startCluster(options?: {
  bin?: string | null;
  port?: number;
  database?: string;
  /** More databases to create, owned by the same role. */
  extraDatabases?: string[];
  user?: string;
}): Promise<Cluster>;
export function migratePg(url: string, migrationsFolder?: string): Promise<void>;
export function isLoopbackUrl(url: string): boolean;
export function addressOf(url: string): string;
