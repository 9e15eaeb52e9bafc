/**
 * Public API of the engine layer: tfjs backend selection/initialisation and the wasm patch kernels.
 */
export {
  BACKEND_NAMES,
  BackendUnavailableError,
  currentBackendReport,
  describeBackend,
  initBackend,
  type BackendName,
  type BackendReport,
  type InitBackendOptions,
  type WasmPaths,
  WASM_BINARY_NAMES,
} from './backend.js';
export { registerWasmPatchKernels, WASM_PATCH_KERNELS } from './kernels/index.js';
export { checkEnvironment, ENVIRONMENT, type EnvScope, type EnvVariable } from './environment.js';
