// Opening a scene: a path or COG URL typed in, the server's allowed list, the recent list, the OS dialog in Electron.
import { useState } from 'react';
import { SAMPLE_SCENE } from '../../../../shared/protocol/sample-scene.js';
import type { GeosiftBridge } from '../../engine-client/bridge.js';
import { sceneName } from './recent-scenes.js';
import type { AllowedScene } from './use-allowed-scenes.js';

export interface ScenePanelProps {
  current: string | null;
  opening: boolean;
  recent: string[];
  allowed: AllowedScene[] | null;
  bridge: GeosiftBridge | null;
  /** 'typed' when the analyst typed it (Electron grants it first), 'granted' for lists and dialogs. */
  onOpen(source: string, how: 'typed' | 'granted'): void;
}

export function ScenePanel(p: ScenePanelProps) {
  const [path, setPath] = useState('');
  const others = (list: string[]) => list.filter((s) => s !== p.current);
  return (
    <section className="panel" aria-label="Open a scene">
      <form
        className="open-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) p.onOpen(path.trim(), 'typed');
        }}
      >
        <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="Path or https:// URL of a GeoTIFF / COG" data-testid="scene-path" aria-label="Scene path or URL" />
        <button type="submit" disabled={!path.trim() || p.opening} data-testid="open-scene">Open</button>
        {p.bridge && (
          <button
            type="button"
            onClick={async () => {
              const chosen = await p.bridge!.openSceneDialog();
              if (chosen) p.onOpen(chosen, 'granted');
            }}
          >
            Browse…
          </button>
        )}
      </form>
      <p className="hint">
        No scene at hand?{' '}
        <button type="button" className="link" title={`${SAMPLE_SCENE.title}. ${SAMPLE_SCENE.credit}. Read over the internet as a COG.`} disabled={p.opening} onClick={() => p.onOpen(SAMPLE_SCENE.url, 'typed')} data-testid="sample-scene">
          Open the sample scene
        </button>{' '}
        ({SAMPLE_SCENE.title}; needs internet)
      </p>
      {p.allowed && p.allowed.length > 0 && (
        <div className="scene-list">
          <h3>Scenes on this server</h3>
          <ul>
            {p.allowed.map((s) => (
              <li key={s.path}>
                <button className={`link ${s.path === p.current ? 'current' : ''}`} title={s.path} onClick={() => p.onOpen(s.path, 'granted')} data-testid="allowed-scene" data-path={s.path}>{s.name}</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {others(p.recent).length > 0 && (
        <div className="scene-list">
          <h3>Recent</h3>
          <ul>
            {others(p.recent).slice(0, 5).map((s) => (
              <li key={s}>
                <button className="link" title={s} onClick={() => p.onOpen(s, 'granted')}>{sceneName(s)}</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {p.bridge && <p className="hint">Or drop a GeoTIFF on the window.</p>}
    </section>
  );
}
