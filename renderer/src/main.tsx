// Renderer entry: mounts the app (no StrictMode: its double effects would open two engine connections).
import { createRoot } from 'react-dom/client';
import 'ol/ol.css';
import './styles.css';
import { App } from './App.js';

createRoot(document.getElementById('root')!).render(<App />);
