/** The Worker entry: HTTP through the Hono app; Durable Object classes re-exported for their bindings. */
import { createApp } from './app';

export { AuthActor } from '../durable-objects/auth-actor';
export { ClientActor } from '../durable-objects/client-actor';
export { KeyRing } from '../durable-objects/key-ring';
export { LoginThrottle } from '../durable-objects/login-throttle';
export { TokenActor } from '../durable-objects/token-actor';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
