// The conv layers with the native addon switched off: tfjs ops on the wasm backend.
import { expect } from 'vitest';
import { describeConv } from './conv-spec.js';

process.env.ALIGNLAB_NATIVE = '0';
describeConv((path) => expect(path).toBe('wasm'));
