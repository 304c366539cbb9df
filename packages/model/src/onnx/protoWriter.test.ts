import { ProtoWriter } from './protoWriter';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// Expected bytes from the protobuf encoding guide (protobuf.dev/programming-guides/encoding) and by hand.
describe('ProtoWriter', () => {
  it('encodes varints as in the protobuf guide (150 -> 08 96 01)', () => {
    expect(hex(new ProtoWriter().varint(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoWriter().varint(1, 300).finish())).toBe('08ac02');
    expect(hex(new ProtoWriter().varint(1, 0).finish())).toBe('0800');
  });

  it('encodes large and negative int64 varints (two\'s complement, 10 bytes)', () => {
    // 2^35 = 1 followed by 35 zero bits: five groups of seven zero bits, then 0b1 -> 80 80 80 80 80 01.
    expect(hex(new ProtoWriter().varint(1, 2 ** 35).finish())).toBe('08808080808001');
    expect(hex(new ProtoWriter().varint(1, -1).finish())).toBe('08ffffffffffffffffff01');
    expect(hex(new ProtoWriter().varint(3, -2n).finish())).toBe('18feffffffffffffffff01');
  });

  it('encodes strings and nested messages with a length prefix (guide: 12 07 "testing")', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
    // Guide example: message Test3 { Test1 c = 3; } with a = 150 -> 1a 03 08 96 01
    expect(hex(new ProtoWriter().message(3, (w) => w.varint(1, 150)).finish())).toBe('1a03089601');
    expect(hex(new ProtoWriter().message(1, () => undefined).finish())).toBe('0a00');
  });

  it('encodes packed repeated varints (guide: 32 06 03 8e 02 9e a7 05) and floats', () => {
    expect(hex(new ProtoWriter().packedVarints(6, [3, 270, 86942]).finish())).toBe('3206038e029ea705');
    // 1.0f = 0x3f800000, little-endian, wire type 5: key (2 << 3) | 5 = 0x15
    expect(hex(new ProtoWriter().float(2, 1).finish())).toBe('150000803f');
  });

  it('keeps field order and does not copy bytes before finish()', () => {
    const payload = new Uint8Array([1, 2, 3]);
    const w = new ProtoWriter().varint(1, 7).bytes(9, payload);
    payload[0] = 9; // referenced until finish()
    expect(hex(w.finish())).toBe('08074a03090203');
  });
});
