export { onBackend } from './backends';
export { expectAllClose, maxRelativeError } from './close';
export { expectNoLeak } from './leaks';
export { normalArray, uniform } from './random';
export { saveAndLoad } from './serialization';
