// Progress events emitted by long tasks; every front door renders them its own way.

export interface ProgressEvent {
  /** Short machine-readable stage name, e.g. 'stretch', 'embed', 'search'. */
  stage: string;
  /** Units done so far and the total (tiles, pixels...), total 0 when unknown. */
  done: number;
  total: number;
  /** Human label for the unit, e.g. 'tiles'. */
  unit?: string;
  message?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** What every long engine call accepts. */
export interface TaskContext {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}
