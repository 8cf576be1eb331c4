export * from './authentication';
export * from './challenges';
export * from './refusal';
export * from './registration';
export * from './relying-party';
