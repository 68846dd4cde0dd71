// The default path: native when the addon is built (npm install), otherwise the fallback.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { describeTransformer } from './transformer-spec.js';

const built = existsSync(new URL('../../native/build/Release/alignlab_native.node', import.meta.url));
describeTransformer((path) => expect(path).toBe(built ? 'native' : 'wasm'));
