/** What both adapters' units of work share: the `Written` handle, settled once the unit has committed. */
import type { Written } from './ports';

/** A queued write's handle: reading `changes` before the unit committed is a programming error. */
export class PendingWrite implements Written {
  private settled: number | null = null;

  get changes(): number {
    if (this.settled === null) throw new Error('the unit of work has not committed');
    return this.settled;
  }

  settle(changes: number): void {
    this.settled = changes;
  }
}

/** One write made of several statements: its `changes` is theirs together. */
export function allWritten(parts: readonly Written[]): Written {
  return {
    get changes() {
      return parts.reduce((sum, part) => sum + part.changes, 0);
    },
  };
}
