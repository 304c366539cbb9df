import type { BackboneName } from '../backbones/backbone';

/** Where the official pretrained weights of each backbone are published, and what is known of them. */
export interface OfficialWeights {
  /** A single file (`.h5`) or a tfjs layers `model.json` whose shards sit beside it. */
  url: string;
  /** File (or folder, for model.json) name in the cache folder. */
  cacheName: string;
  /** MD5 Keras itself checks the file against (`file_hash` in keras/applications), when published. */
  md5?: string;
  /** Preprocessing preset the weights expect. */
  note: string;
}

/**
 * The official sources: Keras's VGG16 ImageNet weights without top (the file `keras.applications.VGG16`
 * downloads) and the TensorFlow.js MobileNet v1 1.0 224 layers model.
 */
export const OFFICIAL_WEIGHTS: Readonly<Record<BackboneName, OfficialWeights>> = Object.freeze({
  vgg16: {
    url: 'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    cacheName: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    md5: '6d6bbae143d832006294945121d1f1fc',
    note: 'Keras VGG16 ImageNet weights, include_top=False (58.9 MB); inputs vgg16-caffe',
  },
  mobilenet_v1: {
    url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_1.0_224/model.json',
    cacheName: 'mobilenet_v1_1.0_224',
    note: 'TensorFlow.js MobileNet v1 1.0 224 layers model (full, with top: cut it with cutLayer); inputs mobilenet [-1, 1]',
  },
});
