export { onBackend } from './backends';
export type { PageCheck } from './chromium';
export { checkInChromium } from './chromium';
export { expectAllClose, maxRelativeError } from './close';
export { expectNoLeak } from './leaks';
export { normalArray, uniform } from './random';
export { saveAndLoad } from './serialization';
export type { SystemPackageNeed } from './systemPackages';
export {
  chromiumPath,
  chromiumTests,
  needsSystemPackage,
  SWIFTSHADER_ENV,
  webGpuTests,
} from './systemPackages';
