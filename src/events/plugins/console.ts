/** The console plugin: one JSON line per event (the envelope carries no secrets). */
import type { EventEnvelope } from '../types';
import type { EventPlugin } from './types';

export function consolePlugin(log: (line: string) => void = console.log): EventPlugin {
  return {
    name: 'console',
    async deliver(envelope: EventEnvelope): Promise<void> {
      log(JSON.stringify({ level: 'info', msg: 'event', event: envelope }));
    },
  };
}
