import type { ModelOptions } from './architectureSpec';
import { type BuiltModel, buildArchitecture } from './buildArchitecture';
import { type DeepNetOptions, describeVgg19, type Vgg19Options } from './describeArchitecture';
import { describeArchitecture, type ModelBuildOptions, type ModelName } from './modelRegistry';

/**
 * Any registered model by name: `small`, `deep`, `A`, `B`, `C`, `vgg19`, `vgg19-spp`, or one
 * added with `registerModel`.
 */
export const buildModel = (name: ModelName, options: ModelBuildOptions = {}): BuiltModel =>
  buildArchitecture(describeArchitecture(name, options));

/** Small 14-layer model of Table 1 (He & Sun 2014 model E), SPP {6,3,2,1}. */
export const smallNet = (options: ModelOptions = {}): BuiltModel => buildModel('small', options);

/** The small model plus `extraLayers` (default 16) 2×2, 256 convs: the 30-layer model of Sec. 2.2 / Fig. 3. */
export const deepNet = (options: DeepNetOptions = {}): BuiltModel => buildModel('deep', options);

/** Model A of Table 3 (19 layers, SPP {7,3,2,1}). */
export const modelA = (options: ModelOptions = {}): BuiltModel => buildModel('A', options);

/** Model B of Table 3 (22 layers: A with one more 3×3 conv per stage). */
export const modelB = (options: ModelOptions = {}): BuiltModel => buildModel('B', options);

/** Model C of Table 3 (B widened to 384, 768, 896 filters). */
export const modelC = (options: ModelOptions = {}): BuiltModel => buildModel('C', options);

/** VGG-19 as published (`top: 'pool5'`, fixed 224 input) or with SPP {7,3,2,1} instead of pool5 (`top: 'spp'`). */
export const vgg19 = (options: Vgg19Options = {}): BuiltModel =>
  buildArchitecture(describeVgg19(options));
