import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../../src/lm/safetensors.js';

const sample = () =>
  new Map<string, { shape: number[]; data: Float32Array | Int32Array }>([
    ['w', { shape: [2, 2], data: Float32Array.from([1.5, -2, Math.PI, 1e-30]) }],
    ['ids', { shape: [3], data: Int32Array.from([7, -1, 2 ** 31 - 1]) }],
  ]);

describe('safetensors', () => {
  it('lays out an 8-byte little-endian header length, a space-padded JSON header and raw data', () => {
    const bytes = writeSafetensors(new Map([['x', { shape: [1], data: Float32Array.from([1]) }]]));
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    expect(header).toEqual({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } });
    // 1.0f is 0x3f800000, stored little-endian.
    expect([...bytes.subarray(8 + headerLength)]).toEqual([0x00, 0x00, 0x80, 0x3f]);
  });

  it('round-trips values, shapes, dtypes and metadata exactly', () => {
    const bytes = writeSafetensors(sample(), { format: 'pt' });
    const { tensors, metadata } = readSafetensors(bytes, 'm.safetensors');
    expect(metadata).toEqual({ format: 'pt' });
    expect(tensors.get('w')).toEqual({ dtype: 'F32', shape: [2, 2], data: sample().get('w')?.data });
    expect(tensors.get('ids')).toEqual({ dtype: 'I32', shape: [3], data: sample().get('ids')?.data });
  });

  it('names the file and the problem for truncated and corrupt files', () => {
    const good = writeSafetensors(sample());
    const read = (bytes: Uint8Array) => () => readSafetensors(bytes, 'ckpt/model.safetensors');
    expect(read(good.subarray(0, 5))).toThrow(
      /ckpt\/model.safetensors: corrupt safetensors file: truncated: 5 bytes/,
    );
    expect(read(good.subarray(0, 40))).toThrow(/truncated: header claims \d+ bytes/);
    expect(read(good.subarray(0, good.length - 3))).toThrow(/truncated: tensor '.*' ends at byte/);
    const extra = new Uint8Array(good.length + 4);
    extra.set(good);
    expect(read(extra)).toThrow(/4 trailing bytes/);
    const badJson = new Uint8Array(good);
    badJson[8] = 0x7b + 1; // '{' → '|'
    expect(read(badJson)).toThrow(/header is not valid UTF-8 JSON/);
  });

  it('rejects offsets that do not match the shape, overlap, or an unknown dtype', () => {
    const make = (header: object, dataBytes: number) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const read = (bytes: Uint8Array) => () => readSafetensors(bytes, 'f');
    expect(read(make({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4))).toThrow(
      /do not hold 2 F32 values/,
    );
    expect(read(make({ a: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1))).toThrow(
      /unsupported dtype "Q4"/,
    );
    expect(
      read(
        make(
          {
            a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
            b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] },
          },
          6,
        ),
      ),
    ).toThrow(/gap or overlap/);
  });
});
