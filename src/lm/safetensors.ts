/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of
 * JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`
 * (padded with spaces to 8-byte alignment), then the raw little-endian tensor bytes, offsets
 * relative to the end of the header. Reading validates everything and names the file and
 * the problem; tensors must tile the data region exactly, as the reference implementation
 * demands.
 */
import { UserInputError } from '../core/errors.js';

export type SafetensorsDtype = 'F32' | 'F64' | 'I32' | 'I64' | 'U8';
type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

const elementBytes: Record<SafetensorsDtype, number> = { F32: 4, F64: 8, I32: 4, I64: 8, U8: 1 };

export interface NamedTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: TypedArray;
}

const dtypeOf = (data: TypedArray): SafetensorsDtype =>
  data instanceof Float32Array
    ? 'F32'
    : data instanceof Float64Array
      ? 'F64'
      : data instanceof Int32Array
        ? 'I32'
        : data instanceof BigInt64Array
          ? 'I64'
          : 'U8';

const isLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(data: TypedArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (isLittleEndian || data.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes);
  const w = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < out.length; i += w) out.subarray(i, i + w).reverse();
  return out;
}

/** Serializes tensors in the given order. */
export function writeSafetensors(
  tensors: Map<string, { shape: number[]; data: TypedArray }>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length)
      throw new Error(`tensor '${name}': shape ${t.shape} holds ${numel} values, data has ${t.data.length}`);
    header[name] = {
      dtype: dtypeOf(t.data),
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    out.set(littleEndianBytes(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/**
 * Parses and validates a safetensors file; `file` names it in errors. With `expected` (the
 * names a model needs), a tensor missing from the header is named, before the byte-level checks
 * that it would otherwise trip ("trailing bytes").
 */
export function readSafetensors(
  bytes: Uint8Array,
  file: string,
  options: { expected?: Iterable<string> } = {},
): SafetensorsFile {
  const fail = (problem: string): never => {
    throw new UserInputError(`corrupt safetensors file: ${problem}`, file);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, less than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    fail(`truncated: header claims ${headerLength} bytes but only ${bytes.length - 8} follow`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch {
    fail('header is not valid UTF-8 JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    fail('header is not a JSON object');
  const dataLength = bytes.length - dataStart;
  const entries: [string, NamedTensor, number, number][] = [];
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        fail('__metadata__ must map strings to strings');
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = e?.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in elementBytes)) {
      fail(
        `tensor '${name}': unsupported dtype ${JSON.stringify(e?.dtype)} (supported: ${Object.keys(elementBytes).join(', ')})`,
      );
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor '${name}': shape must be a list of non-negative integers`);
    }
    const offsets = e.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
    ) {
      fail(`tensor '${name}': data_offsets must be [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end - begin !== numel * elementBytes[dtype]) {
      fail(`tensor '${name}': data_offsets [${begin}, ${end}] do not hold ${numel} ${dtype} values`);
    }
    if (end > dataLength)
      fail(`truncated: tensor '${name}' ends at byte ${end} of a ${dataLength}-byte data section`);
    entries.push([name, { dtype, shape: shape as number[], data: new Uint8Array() }, begin, end]);
  }
  if (options.expected) {
    const present = new Set(entries.map((e) => e[0]));
    const missing = [...options.expected].filter((name) => !present.has(name));
    if (missing.length > 0) {
      throw new UserInputError(
        `tensor${missing.length > 1 ? 's' : ''} ${missing
          .slice(0, 3)
          .map((n) => `'${n}'`)
          .join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''} missing`,
        file,
      );
    }
  }
  // The tensors must tile the data section: no gaps, no overlaps, no trailing bytes.
  const sorted = [...entries].sort((x, y) => x[2] - y[2]);
  let expected = 0;
  for (const [name, , begin, end] of sorted) {
    if (begin !== expected)
      fail(`tensor '${name}' starts at byte ${begin}, expected ${expected} (gap or overlap)`);
    expected = end;
  }
  if (expected !== dataLength) fail(`${dataLength - expected} trailing bytes after the last tensor`);
  const tensors = new Map<string, NamedTensor>();
  for (const [name, t, begin, end] of entries) {
    t.data = decode(t.dtype, bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, t);
  }
  return { tensors, metadata };
}

function decode(dtype: SafetensorsDtype, raw: Uint8Array): TypedArray {
  // Copy into a fresh aligned buffer, reversing bytes only on big-endian hosts.
  const copy = new Uint8Array(raw);
  const w = elementBytes[dtype];
  if (!isLittleEndian && w > 1) for (let i = 0; i < copy.length; i += w) copy.subarray(i, i + w).reverse();
  switch (dtype) {
    case 'F32':
      return new Float32Array(copy.buffer);
    case 'F64':
      return new Float64Array(copy.buffer);
    case 'I32':
      return new Int32Array(copy.buffer);
    case 'I64':
      return new BigInt64Array(copy.buffer);
    default:
      return copy;
  }
}
