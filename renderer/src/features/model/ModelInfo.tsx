// The model in use: id, name, languages and the execution provider (known after the first search).
import type { ModelSummary } from '../../../../shared/protocol/engine-api.js';

export function ModelInfo({ model, requested }: { model: ModelSummary | null; requested: string }) {
  if (!model) return <span className="chip muted" title="Shown after the first search">Model: {requested || 'default'}</span>;
  return (
    <span className="chip" data-testid="model-info" title={`${model.name}\nsha256 ${model.sha256.slice(0, 16)}…\nLanguages: ${model.languages.join(', ')}`}>
      {model.id} · {model.provider} · {model.languages.length} languages
    </span>
  );
}
