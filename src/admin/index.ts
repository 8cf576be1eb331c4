/** Admin operations over ports (no Hono): shared by the admin JSON API and the admin pages. */
export * from './audit';
export * from './client-schemas';
export * from './clients';
export * from './context';
export * from './dashboard';
export * from './denylist';
export * from './events';
export * from './grants';
export * from './keys';
export * from './paging';
export * from './users';
export * from './validation';
