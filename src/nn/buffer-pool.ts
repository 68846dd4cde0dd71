/**
 * Reuse of the Float32Arrays that native kernels return. A training step allocates hundreds of
 * MB in full-size outputs, and a fresh large typed array costs page faults and zeroing.
 * A buffer goes back to the pool when the last tensor using it is disposed. Two facts of tfjs's
 * cpu backend make this delicate: Slice/Unpack hand out subarray views of their input's buffer
 * (so references are counted per ArrayBuffer, over every dataId whose values live in it), and
 * dataSync() returns the backend's own array to the caller (so a buffer once read is never
 * recycled).
 */
interface DataStorage {
  set(id: object, value: { values?: unknown }): void;
  delete(id: object): boolean;
  has(id: object): boolean;
  get(id: object): { values?: unknown };
}

interface PoolableBackend {
  data: DataStorage;
  readSync(id: object): unknown;
}

/** Upper bound on idle pooled memory; beyond it, freed buffers are left to the garbage collector. */
const MAX_IDLE_BYTES = 512 * 2 ** 20;

export class BufferPool {
  private readonly idle = new Map<number, Float32Array[]>();
  private idleBytes = 0;
  /** Live dataIds per buffer this pool handed out. */
  private readonly users = new WeakMap<ArrayBuffer, number>();
  private readonly escaped = new WeakSet<ArrayBuffer>();

  /** An array of `length` floats with arbitrary contents: callers overwrite every element. */
  alloc(length: number): Float32Array {
    const reused = this.idle.get(length)?.pop();
    if (reused) this.idleBytes -= reused.byteLength;
    const array = reused ?? new Float32Array(length);
    this.users.set(array.buffer as ArrayBuffer, 0);
    return array;
  }

  /** Counts the backend's data entries per pooled buffer and marks buffers read out as escaped. */
  attach(backend: PoolableBackend): void {
    const data = backend.data;
    const set = data.set.bind(data);
    const remove = data.delete.bind(data);
    const readSync = backend.readSync.bind(backend);
    data.set = (id, value) => {
      this.retain(value.values);
      set(id, value);
    };
    data.delete = (id) => {
      const values = data.has(id) ? data.get(id).values : undefined;
      const removed = remove(id);
      if (removed) this.release(values);
      return removed;
    };
    backend.readSync = (id) => {
      const values = data.has(id) ? data.get(id).values : undefined;
      if (values instanceof Float32Array) this.escaped.add(values.buffer as ArrayBuffer);
      return readSync(id);
    };
  }

  private retain(values: unknown): void {
    if (!(values instanceof Float32Array)) return;
    const buffer = values.buffer as ArrayBuffer;
    const count = this.users.get(buffer);
    if (count !== undefined) this.users.set(buffer, count + 1);
  }

  private release(values: unknown): void {
    if (!(values instanceof Float32Array)) return;
    const buffer = values.buffer as ArrayBuffer;
    const count = this.users.get(buffer);
    if (count === undefined) return;
    if (count > 1) {
      this.users.set(buffer, count - 1);
      return;
    }
    this.users.delete(buffer);
    if (this.escaped.has(buffer) || this.idleBytes + buffer.byteLength > MAX_IDLE_BYTES) return;
    const whole = new Float32Array(buffer);
    const list = this.idle.get(whole.length) ?? [];
    list.push(whole);
    this.idle.set(whole.length, list);
    this.idleBytes += buffer.byteLength;
  }
}
