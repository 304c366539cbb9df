import * as tf from '@tensorflow/tfjs-core';
// First, so that tfjs-layers has registered its own Zeros when this one replaces it.
import '@tensorflow/tfjs-layers';

/**
 * tfjs-layers builds a loaded model's variables as zeros before it writes the saved weights into them
 * (`fastWeightInit`), and its `Zeros` initializer makes each as a JavaScript array of zeros copied into the
 * backend: on WebAssembly a second copy of all the weights, about half of the model's build time in the page
 * profile. This `Zeros` makes the same zeros with the backend's `Fill` kernel, in its own memory. Registered under
 * tfjs's own class name, so `getInitializer('zeros')` finds it; the values are the same (0).
 */
class FillZeros extends tf.serialization.Serializable {
  static className = 'Zeros';

  static override fromConfig<T extends tf.serialization.Serializable>(cls: tf.serialization.SerializableConstructor<T>): T {
    return new cls();
  }

  /** What tfjs-layers' `Initializer` answers: its config names no custom objects. */
  fromConfigUsesCustomObjects(): boolean {
    return false;
  }

  apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    return tf.fill(shape, 0, dtype ?? 'float32');
  }

  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

tf.serialization.registerClass(FillZeros);
