import { DurableObject } from 'cloudflare:workers';

export class KeyRing extends DurableObject<Env> {}
