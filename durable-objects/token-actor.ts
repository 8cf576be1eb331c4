import { DurableObject } from 'cloudflare:workers';

export class TokenActor extends DurableObject<Env> {}
