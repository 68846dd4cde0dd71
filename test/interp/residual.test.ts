import { describe, expect, it } from 'vitest';
import { lastTokenStates } from '../../src/interp/residual.js';
import { createTransformer, initBackend } from '../../src/nn/index.js';

describe('lastTokenStates', () => {
  it('ends with the hidden state the model itself computes (after ln_f) at each row’s last token', async () => {
    await initBackend();
    const model = createTransformer(
      { vocabSize: 11, contextLength: 8, layers: 2, heads: 2, width: 16 },
      { seed: 3 },
    );
    const rows = [
      [1, 4, 5, 6],
      [1, 7, 2],
    ];
    const states = lastTokenStates(model, rows);
    // Embeddings, two blocks, ln_f.
    expect(states.length).toBe(4);
    rows.forEach((row, b) => {
      const h = model.hidden([row]);
      const values = h.dataSync();
      h.dispose();
      const last = values.slice((row.length - 1) * 16, row.length * 16);
      const ours = states[3][b];
      for (let j = 0; j < 16; j++) expect(ours[j]).toBeCloseTo(last[j], 4);
    });
    model.dispose();
  });
});
