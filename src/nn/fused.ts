/**
 * GELU and LayerNorm as single native kernels with hand-written gradients (tf.customGrad), used
 * on the native path: composed from tfjs ops they cost ~10 and ~20 kernel calls each, forward
 * and backward, and every call allocates a full-size output.
 */
import * as tf from '@tensorflow/tfjs';

const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
  tf.engine().runKernel(name, inputs, attrs);

export const fusedGelu = tf.customGrad((x, save) => {
  (save as unknown as tf.GradSaveFunc)([x as tf.Tensor]);
  return {
    value: run('AlignlabGelu', { x: x as tf.Tensor }) as tf.Tensor,
    gradFunc: (dy, saved) => run('AlignlabGeluGrad', { dy: dy as tf.Tensor, x: saved[0] }) as tf.Tensor,
  };
}) as (x: tf.Tensor) => tf.Tensor;

export function fusedLayerNorm(
  x: tf.Tensor2D,
  weight: tf.Tensor1D,
  bias: tf.Tensor1D,
  epsilon: number,
): tf.Tensor2D {
  const f = tf.customGrad((xIn, wIn, bIn, save) => {
    const [xs, ws, bs] = [xIn, wIn, bIn] as tf.Tensor[];
    (save as tf.GradSaveFunc)([xs, ws]);
    return {
      value: run('AlignlabLayerNorm', { x: xs, weight: ws, bias: bs }, { epsilon }) as tf.Tensor,
      gradFunc: (dy, saved) =>
        run(
          'AlignlabLayerNormGrad',
          { dy: dy as tf.Tensor, x: saved[0], weight: saved[1] },
          { epsilon },
        ) as tf.Tensor[],
    };
  });
  return f(x, weight, bias) as tf.Tensor2D;
}

/**
 * Causal multi-head self-attention on the packed projection qkv [B·T, 3C] → [B·T, C] (before
 * c_proj), forward and backward one native call each; the backward pass recomputes the
 * attention probabilities instead of keeping them. Composed from tfjs ops it is ~12 kernel
 * calls forward and ~25 backward per layer, each with a full-size output.
 */
export function fusedAttention(qkv: tf.Tensor2D, batch: number, time: number, heads: number): tf.Tensor2D {
  const attrs = { batch, time, heads };
  const f = tf.customGrad((qkvIn, save) => {
    const x = qkvIn as tf.Tensor;
    (save as tf.GradSaveFunc)([x]);
    return {
      value: run('AlignlabAttention', { qkv: x }, attrs) as tf.Tensor,
      gradFunc: (dy, saved) =>
        run('AlignlabAttentionGrad', { dy: dy as tf.Tensor, qkv: saved[0] }, attrs) as tf.Tensor,
    };
  });
  return f(qkv) as tf.Tensor2D;
}

/**
 * A linear layer x [M, K] · weight [K, N] (+ bias [N]) as one native call forward and one
 * backward (dx, dweight, dbias together); through tfjs ops it is a matmul and a broadcasting
 * add forward and ~6 kernel calls backward (two matmuls, the bias's reshapes and row sum).
 */
export function fusedLinear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (!bias) {
    const f = tf.customGrad((xIn, wIn, save) => {
      const [xs, ws] = [xIn, wIn] as tf.Tensor[];
      (save as tf.GradSaveFunc)([xs, ws]);
      return {
        value: run('AlignlabLinear', { x: xs, weight: ws }) as tf.Tensor,
        gradFunc: (dy, saved) =>
          run('AlignlabLinearGrad', { dy: dy as tf.Tensor, x: saved[0], weight: saved[1] }) as tf.Tensor[],
      };
    });
    return f(x, weight) as tf.Tensor2D;
  }
  const f = tf.customGrad((xIn, wIn, bIn, save) => {
    const [xs, ws, bs] = [xIn, wIn, bIn] as tf.Tensor[];
    (save as tf.GradSaveFunc)([xs, ws, bs]);
    return {
      value: run('AlignlabLinear', { x: xs, weight: ws, bias: bs }) as tf.Tensor,
      gradFunc: (dy, saved) =>
        run('AlignlabLinearGrad', {
          dy: dy as tf.Tensor,
          x: saved[0],
          weight: saved[1],
          bias: saved[2],
        }) as tf.Tensor[],
    };
  });
  return f(x, weight, bias) as tf.Tensor2D;
}
