// Builds the one renderer (Electron window and `geosift serve` page) into dist/renderer: offline, relative asset paths.
// Plain .mjs so the layering lint (which scans .ts under renderer/) does not read build tooling as renderer code.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
});
