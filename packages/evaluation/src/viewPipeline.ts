import type { BuiltModel } from '@rectifier/architectures';
import { compose, type FloatTransform, type GeometricTransform } from '@rectifier/augmentation';
import { createRng, type RawImage } from '@rectifier/data';

/**
 * Grey from RGB with the ITU-R BT.601 luma weights (what sharp's and PIL's `L` conversion use).
 * A grey image, which decodes to three equal channels, comes back exactly as it was stored.
 */
function toGrey(img: RawImage<Float32Array>): RawImage<Float32Array> {
  if (img.channels === 1) return img;
  const data = new Float32Array(img.height * img.width);
  for (let i = 0; i < data.length; i++) {
    const p = i * img.channels;
    data[i] = 0.299 * img.data[p] + 0.587 * img.data[p + 1] + 0.114 * img.data[p + 2];
  }
  return { data, height: img.height, width: img.width, channels: 1 };
}

/**
 * Encoded bytes → the model's input images: the geometry, then (grey models) the luma, then the
 * float steps. For RGB models it is one `compose` pipeline, as before grey models were accepted.
 */
export function viewPipeline(
  built: BuiltModel,
  geometry: GeometricTransform[],
  preprocess: FloatTransform[],
): (image: Buffer) => Promise<RawImage<Float32Array>[]> {
  if (built.spec.inputChannels === 3) {
    const pipeline = compose(...geometry, ...preprocess);
    return (image) => pipeline.applyAll(image, createRng(0));
  }
  // The float steps must see one channel (a grey model's mean is one number), so they run after
  // the conversion rather than inside `compose`.
  const pipeline = compose(...geometry);
  return async (image) => {
    const rng = createRng(0);
    return (await pipeline.applyAll(image, rng)).map((rgb) => {
      const grey = toGrey(rgb);
      for (const t of preprocess) t.apply(grey, rng);
      return grey;
    });
  };
}
