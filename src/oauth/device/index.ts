export * from './authorization';
export * from './codes';
export * from './errors';
export * from './grant';
export * from './pending-index';
export * from './verification';
