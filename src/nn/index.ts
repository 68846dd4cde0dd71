/** The neural core: tfjs backend setup, the transformer, conv nets, optimizers and the training step. */
export { activeBackend, type BackendInfo, type BackendPath, backendPaths, initBackend } from './backend.js';
export {
  type Activation,
  type Conv2dOptions,
  type Conv2dWeights,
  type ConvForwardOptions,
  type ConvLayerSpec,
  type ConvNet,
  type ConvNetConfig,
  conv2d,
  conv2dOutputSize,
  createConvNet,
  dropout,
  flatten,
  judgeLayers,
  maxPool,
  type Padding,
} from './conv.js';
export {
  causalSelfAttention,
  embedding,
  gelu,
  type LayerNormWeights,
  type LinearWeights,
  layerNorm,
  linear,
  mlp,
} from './layers.js';
export { AdamW, type AdamWOptions, clipGradients } from './optim.js';
export { type CosineScheduleOptions, cosineSchedule } from './schedule.js';
export { crossEntropy, type TrainStepOptions, type TrainStepResult, trainStep } from './train.js';
export {
  cloneTransformer,
  copyWeights,
  createTransformer,
  KvCache,
  type ResolvedTransformerConfig,
  type TokenBatch,
  type Transformer,
  type TransformerConfig,
  TransformerConfigSchema,
  toTokenTensor,
} from './transformer.js';
