// The same specification with the native addon switched off, as on a machine without OpenBLAS.
import { expect } from 'vitest';
import { describeTransformer } from './transformer-spec.js';

process.env.ALIGNLAB_NATIVE = '0';
describeTransformer((path) => expect(path).toBe('wasm'));
