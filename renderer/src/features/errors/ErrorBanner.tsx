// An error in plain words: what happened, the engine's message, what to do; dismissable.
import type { PlainError } from './plain-error.js';

export function ErrorBanner({ error, onDismiss }: { error: PlainError; onDismiss(): void }) {
  return (
    <div className="error-banner" role="alert" data-testid="error">
      <div>
        <strong>{error.title}.</strong> <span className="detail">{error.detail}</span>
        <div className="action">{error.action}</div>
      </div>
      <button className="icon" onClick={onDismiss} aria-label="Dismiss">×</button>
    </div>
  );
}
