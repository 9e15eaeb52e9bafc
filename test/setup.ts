// Selects the tfjs backend for the test run: NAC_TEST_BACKEND=wasm|cpu (default wasm).
import { beforeAll } from 'vitest';
import { initBackend, type BackendName } from '../src/engine/backend.js';

beforeAll(async () => {
  await initBackend({ backend: (process.env.NAC_TEST_BACKEND as BackendName | undefined) ?? 'wasm', quiet: true });
});
