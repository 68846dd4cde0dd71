import { describe, expect, it } from 'vitest';
import { choicesHint, editDistance, nearest } from '../../src/core/errors.js';
import { defaultRegistry } from '../../src/experiments/registry.js';

describe('did you mean', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('boat-race', 'boat-race')).toBe(0);
    expect(editDistance('baot-race', 'boat-race')).toBe(1);
    expect(editDistance('boatrace', 'boat-race')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the nearest choice only when it is close', () => {
    expect(nearest('boatrace', ['boat-race', 'whisky-gold'])).toBe('boat-race');
    expect(nearest('zzz', ['boat-race', 'whisky-gold'])).toBeUndefined();
    expect(choicesHint(['a-b', 'c-d'], 'a-c')).toBe("did you mean 'a-b'? choose one of: a-b, c-d");
    expect(choicesHint(['a', 'b'])).toBe('choose one of: a, b');
  });

  it('names the nearest experiment for a typo', () => {
    expect(() => defaultRegistry.get('boat-rcae')).toThrow(/did you mean 'boat-race'\?/);
  });
});
