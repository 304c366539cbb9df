const utf8 = new TextEncoder();

/**
 * A minimal protobuf (proto3 wire format) writer: just what an ONNX ModelProto needs.
 *
 * Wire format: every field is a key `(fieldNumber << 3) | wireType` (a varint) followed by its value;
 * wire type 0 is a varint (int32, int64, enum), 2 is length-delimited (string, bytes, sub-message,
 * packed repeated scalars), 5 is a little-endian 32-bit value (float).
 *
 * The writer keeps a list of chunks and only concatenates them once in {@link ProtoWriter.finish}, so a
 * large weight buffer is copied once, and nested messages cost no copy at all (a nested writer's chunks
 * are appended after its length prefix).
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch: number[] = [];
  /** Number of bytes written so far. */
  length = 0;

  /** Writes a varint field (int32/int64/uint/enum/bool). Negative values use 10-byte two's complement. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.rawVarint(value);
    return this;
  }

  /** Writes a 32-bit float field (wire type 5). */
  float(field: number, value: number): this {
    this.tag(field, 5);
    this.flush();
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** Writes a length-delimited bytes field; the bytes are referenced, not copied, until {@link finish}. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(value.byteLength);
    this.flush();
    this.push(value);
    return this;
  }

  /** Writes a UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** Writes an embedded message field built by `build` on a fresh writer. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    inner.flush();
    this.tag(field, 2);
    this.rawVarint(inner.length);
    this.flush();
    for (const chunk of inner.chunks) this.push(chunk);
    return this;
  }

  /** Writes a packed repeated varint field (e.g. `repeated int64 ints`, `repeated int64 dims`). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    return this.message(field, (inner) => {
      for (const v of values) inner.rawVarint(v);
    });
  }

  /** Concatenates everything written into one buffer. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  private rawVarint(value: number | bigint): void {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value)) throw new RangeError(`Not an integer: ${value}`);
      if (value >= 0 && value < 2 ** 31) {
        let v = value;
        while (v > 0x7f) {
          this.scratch.push((v & 0x7f) | 0x80);
          v >>>= 7;
        }
        this.scratch.push(v);
        return;
      }
      value = BigInt(value);
    }
    // int64 semantics: negative numbers are encoded as their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      this.scratch.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.scratch.push(Number(v));
  }

  private flush(): void {
    if (this.scratch.length === 0) return;
    this.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }
}
