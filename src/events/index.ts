/** The event bus: model, envelope, filter, publisher, consumer and plugins (re-exports). */

export * from './admin';
export * from './bus';
export * from './config';
export * from './consumer';
export * from './dead-letter';
export * from './envelope';
export { consolePlugin } from './plugins/console';
export { storagePlugin } from './plugins/storage';
export type { EventPlugin, PluginName, RecordingPlugin } from './plugins/types';
export { WebhookDeliveryError, webhookPlugin } from './plugins/webhook';
export * from './signature';
export * from './types';
