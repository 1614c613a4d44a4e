import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Two cores here and in CI: onnxruntime and the decoders use threads of their own.
    maxWorkers: 2,
    // A safety net: nothing a test runs may write into the user's own Geosift data (index, models).
    env: { GEOSIFT_HOME: mkdtempSync(join(tmpdir(), 'geosift-test-home-')) },
  },
});
