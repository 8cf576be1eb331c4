/**
 * Ports over Durable Object stubs, derived from the actor classes' types instead of forwarding each
 * method by hand: `actorPort(stubFor, ['a', 'b'])` is an object whose `a` and `b` call the same methods
 * on `stubFor(firstArgument)`, the stub of the actor that owns the call (the shard is part of every id,
 * so the first argument picks it). Parameter and result types are the stub's (`Rpc.Result` of the actor
 * method's), answered as plain promises, so a port whose signatures match the actor's is satisfied
 * structurally: a new actor method is one edit to the class plus its name in the list.
 */

/** The names of the public methods of actor `A` (its fields, and the stub's own members, excluded). */
export type ActorMethod<A extends Rpc.DurableObjectBranded> = {
  [K in keyof A & keyof DurableObjectStub<A>]: A[K] extends (...args: never[]) => unknown ? K : never;
}[keyof A & keyof DurableObjectStub<A>] &
  string;

/** What a method that cannot be forwarded reads as: no function, so no port accepts it (`never` would). */
interface NotForwardable {
  readonly notForwardable: true;
}

/** Member `K` of the stub of actor `A`: the method with the RPC parameter and result types. */
type StubMethod<A extends Rpc.DurableObjectBranded, K extends ActorMethod<A>> = DurableObjectStub<A>[K &
  keyof DurableObjectStub<A>];

/** Method `K` of actor `A` as its stub types it, answered as a promise. */
type Forwarded<A extends Rpc.DurableObjectBranded, K extends ActorMethod<A>> =
  StubMethod<A, K> extends (...args: infer Args) => infer R
    ? (...args: Args) => Promise<Awaited<R>>
    : NotForwardable;

/** Method `K` of actor `A` without its last parameter, the caller's clock time (`now`, epoch seconds). */
type ForwardedAt<A extends Rpc.DurableObjectBranded, K extends ActorMethod<A>> =
  StubMethod<A, K> extends (...args: [...infer Args, number]) => infer R
    ? (...args: Args) => Promise<Awaited<R>>
    : NotForwardable;

export type ActorPort<A extends Rpc.DurableObjectBranded, K extends ActorMethod<A>> = {
  [P in K]: Forwarded<A, P>;
};

export type TimedActorPort<A extends Rpc.DurableObjectBranded, K extends ActorMethod<A>> = {
  [P in K]: ForwardedAt<A, P>;
};

/** The first parameter of each method `K` (a union when they differ): what picks the stub. */
type ShardKey<A extends Rpc.DurableObjectBranded, K extends ActorMethod<A>> = A[K] extends (
  first: infer P,
  ...rest: never[]
) => unknown
  ? P
  : never;

/** Awaits an actor call, e.g. rebuilding the errors it threw (worker/wiring/actor-errors.ts `viaActor`). */
export type ActorCallWrapper = <T>(call: Promise<T>) => Promise<T>;

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

function forwarder<A extends Rpc.DurableObjectBranded>(
  stubFor: (first: never) => DurableObjectStub<A>,
  methods: readonly string[],
  extraArgs: () => unknown[],
  via: ActorCallWrapper | undefined,
): Record<string, AnyMethod> {
  const port: Record<string, AnyMethod> = {};
  for (const method of methods) {
    port[method] = (...args) => {
      const stub = (stubFor as (first: unknown) => DurableObjectStub<A>)(args[0]);
      const call = Reflect.apply(Reflect.get(stub, method) as AnyMethod, stub, [...args, ...extraArgs()]);
      return via ? via(call) : call;
    };
  }
  return port;
}

/** `methods` of actor `A`, each forwarded as is to `stubFor(first argument)`, through `via` when given. */
export function actorPort<A extends Rpc.DurableObjectBranded, K extends ActorMethod<A>>(
  stubFor: (first: ShardKey<A, K>) => DurableObjectStub<A>,
  methods: readonly K[],
  via?: ActorCallWrapper,
): ActorPort<A, K> {
  return forwarder(stubFor, methods, () => [], via) as ActorPort<A, K>;
}

/**
 * `methods` of actor `A` whose last parameter is the caller's `now` (epoch seconds; the actor takes the
 * time from its caller so tests can drive it): forwarded to `stubFor(first argument)` with `now()`,
 * read at each call, appended.
 */
export function timedActorPort<A extends Rpc.DurableObjectBranded, K extends ActorMethod<A>>(
  stubFor: (first: ShardKey<A, K>) => DurableObjectStub<A>,
  methods: readonly K[],
  now: () => number,
  via?: ActorCallWrapper,
): TimedActorPort<A, K> {
  return forwarder(stubFor, methods, () => [now()], via) as TimedActorPort<A, K>;
}
