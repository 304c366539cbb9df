// Jest runs each test file in a vm context whose typed-array constructors differ from Node's own. Native
// addons (onnxruntime-node) create their outputs in Node's realm, and onnxruntime-common's `instanceof
// Float32Array` checks then fail inside Jest (jestjs/jest#2549). This environment shares Node's binary-data
// constructors with the test context, as a plain Node process has them. For tests that run onnxruntime.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class NodeRealmEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = NodeRealmEnvironment;
