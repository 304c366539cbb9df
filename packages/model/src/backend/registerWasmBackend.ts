/**
 * Side-effect module: registers the TensorFlow.js WebAssembly and CPU backends with tfjs-core.
 * Import it (`import '@cxr/model/...registerWasmBackend'` is internal; the feature worker uses it) when a
 * static registration is wanted; {@link initBackend} loads the same packages dynamically instead.
 * Listed in package.json `sideEffects` so bundlers keep it.
 */
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
