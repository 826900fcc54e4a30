/** A decoded image: interleaved HWC pixels. `data` is uint8 (0..255) or float32 after float ops. */
export interface RawImage<T extends Uint8Array | Float32Array = Uint8Array | Float32Array> {
  data: T;
  height: number;
  width: number;
  channels: number;
}

/** One labelled example of an image data set. `label` is the class index. */
export interface ImageSample {
  path: string;
  label: number;
}

/** A labelled image data set as file paths: what the readers return and the loader consumes. */
export interface ImageDataset {
  /** Class names (wnids for ILSVRC, folder names for ImageFolder), index = label. */
  classes: string[];
  samples: ImageSample[];
}
