/** Rate limiting: one limiter port, three backends (Durable Object, KV, Upstash). */
export * from './config';
export * from './headers';
export * from './kv';
export * from './lease';
export * from './limiter';
export * from './types';
export * from './upstash';
