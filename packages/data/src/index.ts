export {
  computeDatasetStats,
  type DatasetStats,
  type DatasetStatsJson,
  type StatsKeyContent,
  type StatsOptions,
  statsFromJson,
  statsKey,
  statsToJson,
} from './datasetStats';
export { decodeFailureReason } from './decodeFailureReason';
export {
  type DecodeOptions,
  decodeImage,
  decodeImageBytes,
  probeImage,
  readImageBytes,
  rgbPipeline,
  sniffSize,
} from './decodeImage';
export {
  DataArgumentError,
  DataError,
  DatasetLayoutError,
  IdxFormatError,
  IdxSizeError,
  ImageDecodeError,
  LabelRangeError,
} from './errors';
export { encodeIdxUint8, type IdxArray, type IdxOptions, parseIdx, readIdx } from './idx';
export { type IlsvrcOptions, readIlsvrc } from './ilsvrc';
export type { ImageDataset, ImageSample, RawImage } from './image';
export { IMAGE_EXTENSIONS, isImageFile, listImages, readImageFolder } from './imageFolder';
export {
  type Batch,
  type BytesTransform,
  createImageLoader,
  createLoader,
  type EpochReport,
  epochOrder,
  type LoaderOptions,
  type SkippedSample,
} from './loader';
export {
  bundledAssetsDir,
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  type IdxImageDataset,
  idxExample,
  loadFashionMnistSubset,
  readFashionMnist,
  readIdxImageDataset,
} from './mnist';
export { createRng, permutation, type Rng } from './rng';
export { symmetricEigen } from './symmetricEigen';
