/** Time is a dependency: domain functions take a Clock so tests and test clocks can move it. */
export type Clock = { now: () => Date };

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock & { set: (next: Date | string) => void; advanceMs: (ms: number) => void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next);
    },
    advanceMs: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}
