// Latest-request-wins: a superseded answer is never applied, its request is aborted, cancel and failure stay distinct.
import { describe, expect, it } from 'vitest';
import { createLatestRequest } from '../../../renderer/src/features/search/latest-request.js';
import { canceledError, isCanceled } from '../../../shared/protocol/errors.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createLatestRequest', () => {
  it('applies only the latest answer even when an older one arrives last, and aborts the older request', async () => {
    const latest = createLatestRequest();
    const first = deferred<string>();
    const second = deferred<string>();
    let firstSignal: AbortSignal | null = null;
    const a = latest.run((signal) => {
      firstSignal = signal;
      return first.promise;
    });
    const b = latest.run(() => second.promise);
    expect(firstSignal!.aborted).toBe(true);
    second.resolve('new');
    first.resolve('old');
    expect(await a).toEqual({ status: 'stale' });
    expect(await b).toEqual({ status: 'done', value: 'new' });
    expect(latest.busy).toBe(false);
  });

  it('reports a canceled run as canceled, not as a failure', async () => {
    const latest = createLatestRequest();
    const run = latest.run(
      (signal) =>
        new Promise<string>((_, reject) => {
          signal.addEventListener('abort', () => reject(canceledError()));
        }),
      isCanceled,
    );
    expect(latest.busy).toBe(true);
    latest.cancel();
    expect(await run).toEqual({ status: 'canceled' });
  });

  it('passes real failures through', async () => {
    const latest = createLatestRequest();
    const boom = new Error('disk full');
    expect(await latest.run(() => Promise.reject(boom), isCanceled)).toEqual({ status: 'failed', error: boom });
  });

  it('treats an engine CANCELED error as canceled even without a local abort', async () => {
    const latest = createLatestRequest();
    expect(await latest.run(() => Promise.reject(canceledError()), isCanceled)).toEqual({ status: 'canceled' });
  });
});
