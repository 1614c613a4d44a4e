// The few host globals shared/ may use, declared minimally so shared/ compiles with neither DOM nor Node types.
// Only shared/tsconfig.json includes this file; Node and the DOM provide the full declarations elsewhere.
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

declare class AbortController {
  constructor();
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}
