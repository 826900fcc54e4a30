import type { CpuVariant, ModelName } from './modelRegistry';

/** A CPU-scale variant: same layer pattern as the paper's model, narrower and on smaller images. */
export interface CpuScaleVariant extends CpuVariant {
  model: ModelName;
}

/** Models A, B, C and VGG-19+SPP share one scale; only the model differs. */
const eighthWidth = <M extends ModelName>(model: M) =>
  ({
    model,
    options: { widthMultiplier: 0.125, fcUnits: 1024, numClasses: 10 },
    cropSize: 112,
  }) as const;

/**
 * The CPU-scale variants used by the benchmark and the app (`docs/packages/architectures.md`
 * explains each choice). Every one keeps the paper's depth, kernel sizes, strides, SPP levels,
 * dropout and initialisation; only widths, fc units, classes and image size shrink.
 */
export const cpuScaleVariants = {
  /**
   * Small net (Table 1) at half width, fc 1024, 10 classes, 112 crops: the last conv map is 8×8
   * (≥ the 6×6 pyramid level), 57 M multiply-adds per image (224 at full width: 920 M).
   */
  small: {
    model: 'small',
    options: { widthMultiplier: 0.5, fcUnits: 1024, numClasses: 10 },
    cropSize: 112,
  },
  /** The 30-layer model at the same scale as `small` (Fig. 3 right): 116 M multiply-adds. */
  deep: {
    model: 'deep',
    options: { widthMultiplier: 0.5, fcUnits: 1024, numClasses: 10, extraLayers: 16 },
    cropSize: 112,
  },
  /**
   * Fashion-MNIST (28×28 grey, 10 classes): the `small` variant with one input channel, the
   * images resized 4× to 112 so the trunk reaches SPP with an 8×8 map, as on ImageNet crops.
   */
  fashionMnist: {
    model: 'small',
    options: { widthMultiplier: 0.5, fcUnits: 1024, numClasses: 10, inputChannels: 1 },
    cropSize: 112,
  },
  /**
   * Models A, B, C and VGG-19+SPP at 1/8 width, fc 1024, 10 classes, 112 crops: the last conv
   * map is 7×7, exactly the 7×7 pyramid level (84–221 M multiply-adds per image).
   */
  A: eighthWidth('A'),
  B: eighthWidth('B'),
  C: eighthWidth('C'),
  vgg19Spp: eighthWidth('vgg19-spp'),
} as const satisfies Record<string, CpuScaleVariant>;
