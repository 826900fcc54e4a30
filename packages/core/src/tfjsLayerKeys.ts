/**
 * The constructor keys every tfjs layer accepts: tfjs-layers' `LayerArgs`, what `getConfig`
 * writes, and `customObjects`, which tfjs's deserializer adds to the config it rebuilds from.
 * A layer checks its args with `checkOptionKeys(args, [...ownKeys, ...tfjsLayerKeys], where)`.
 */
export const tfjsLayerKeys = [
  'name',
  'trainable',
  'inputShape',
  'batchInputShape',
  'batchSize',
  'dtype',
  'weights',
  'inputDType',
  'customObjects',
] as const;

/** Added by tfjs's deserializer to the config it rebuilds an initializer from. */
export const deserializerKeys = ['customObjects'] as const;
