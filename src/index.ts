export { UserInputError } from './core/errors.js';
export { Rng } from './core/rng.js';
