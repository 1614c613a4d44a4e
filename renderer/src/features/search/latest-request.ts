// Pure: latest-request-wins. Starting a request aborts the one before; a superseded answer is reported stale, never applied.

export type Outcome<T> = { status: 'done'; value: T } | { status: 'stale' } | { status: 'canceled' } | { status: 'failed'; error: unknown };

export interface LatestRequest {
  run<T>(task: (signal: AbortSignal) => Promise<T>, isCanceled?: (e: unknown) => boolean): Promise<Outcome<T>>;
  /** Aborts the running request (its outcome becomes 'canceled'). */
  cancel(): void;
  readonly busy: boolean;
}

export function createLatestRequest(): LatestRequest {
  let current: { id: number; controller: AbortController } | null = null;
  let next = 1;
  return {
    async run<T>(task: (signal: AbortSignal) => Promise<T>, isCanceled?: (e: unknown) => boolean): Promise<Outcome<T>> {
      current?.controller.abort();
      const mine = { id: next++, controller: new AbortController() };
      current = mine;
      try {
        const value = await task(mine.controller.signal);
        if (current !== mine) return { status: 'stale' };
        current = null;
        return { status: 'done', value };
      } catch (error) {
        if (current !== mine) return { status: 'stale' };
        current = null;
        if (mine.controller.signal.aborted || isCanceled?.(error)) return { status: 'canceled' };
        return { status: 'failed', error };
      }
    },
    cancel() {
      current?.controller.abort();
    },
    get busy() {
      return current !== null;
    },
  };
}
