// The conv layers on the default path: native when the addon is built (npm install), otherwise the fallback.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { describeConv } from './conv-spec.js';

const built = existsSync(new URL('../../native/build/Release/alignlab_native.node', import.meta.url));
describeConv((path) => expect(path).toBe(built ? 'native' : 'wasm'));
