import * as tf from '@tensorflow/tfjs';

/** The sizes and pads of a 2-D convolution that both backprop kernels need, in one place. */
export interface ConvGeometry {
  b: number;
  h: number;
  w: number;
  ci: number;
  oh: number;
  ow: number;
  co: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
}

export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: [number, number] | number,
  pad: tf.Conv2DBackpropFilterAttrs['pad'],
  dataFormat: 'NHWC' | 'NCHW',
  dimRoundingMode?: 'floor' | 'round' | 'ceil',
): ConvGeometry {
  if (dataFormat === 'NCHW') {
    throw new Error(
      'Rectifier\'s wasm training kernels support dataFormat "NHWC" only (as does the wasm ' +
        'backend\'s forward Conv2D). Received: dataFormat="NCHW".',
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return {
    b: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    ci: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    co: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}
