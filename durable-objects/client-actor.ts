import { DurableObject } from 'cloudflare:workers';

export class ClientActor extends DurableObject<Env> {}
