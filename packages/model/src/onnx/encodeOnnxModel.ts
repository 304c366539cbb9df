import { ProtoWriter } from './protoWriter';

/** An ONNX node attribute value: an int, a list of ints, a float, or a string. */
export type OnnxAttribute =
  | { type: 'int'; value: number }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string };

/** One ONNX operator node. */
export interface OnnxNode {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/**
 * A constant tensor of the graph (weights, shapes, quantisation parameters). The element type follows the array:
 * float32, int64, int32 (quantised biases), int8 (quantised weights) or uint8 (activation zero points).
 */
export interface OnnxInitializer {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;
}

/** A graph input or output: float32 tensor with fixed dims or named symbolic ones (`'N'`); no dims: shape unknown. */
export interface OnnxValueInfo {
  name: string;
  dims?: readonly (number | string)[];
}

/** An ONNX graph in memory, before encoding. */
export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  docString?: string;
}

// Field numbers and enums from onnx/onnx.proto (IR version 7 = ONNX 1.8, which supports opset 13).
const IR_VERSION = 7;
/** The ONNX opset the exporter targets. */
export const ONNX_OPSET = 13;
const DATA_TYPE_FLOAT = 1;
const DATA_TYPE_UINT8 = 2;
const DATA_TYPE_INT8 = 3;
const DATA_TYPE_INT32 = 6;
const DATA_TYPE_INT64 = 7;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_INTS = 7;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function rawBytes(data: OnnxInitializer['data']): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndian) return view;
  // TensorProto.raw_data is little-endian by definition: swap on big-endian hosts.
  const size = data.BYTES_PER_ELEMENT;
  const out = new Uint8Array(view.length);
  for (let i = 0; i < view.length; i += size) {
    for (let b = 0; b < size; b++) out[i + b] = view[i + size - 1 - b];
  }
  return out;
}

function writeTensor(w: ProtoWriter, t: OnnxInitializer): void {
  w.packedVarints(1, t.dims);
  const type =
    t.data instanceof Float32Array ? DATA_TYPE_FLOAT
    : t.data instanceof BigInt64Array ? DATA_TYPE_INT64
    : t.data instanceof Int32Array ? DATA_TYPE_INT32
    : t.data instanceof Int8Array ? DATA_TYPE_INT8
    : DATA_TYPE_UINT8;
  w.varint(2, type);
  w.string(8, t.name);
  w.bytes(9, rawBytes(t.data));
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.varint(1, DATA_TYPE_FLOAT);
      const dims = v.dims;
      if (dims === undefined) return;
      tensorType.message(2, (shape) => {
        for (const d of dims) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeAttribute(w: ProtoWriter, name: string, a: OnnxAttribute): void {
  w.string(1, name);
  switch (a.type) {
    case 'int':
      w.varint(3, a.value);
      w.varint(20, ATTR_INT);
      break;
    case 'ints':
      w.packedVarints(8, a.value);
      w.varint(20, ATTR_INTS);
      break;
    case 'float':
      w.float(2, a.value);
      w.varint(20, ATTR_FLOAT);
      break;
    case 'string':
      w.string(4, a.value);
      w.varint(20, ATTR_STRING);
      break;
  }
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attributes ?? {})) w.message(5, (aw) => writeAttribute(aw, name, a));
}

/**
 * Encodes an in-memory graph as a serialized ONNX `ModelProto` (IR 7, default domain opset 13), ready for
 * `InferenceSession.create(bytes)` or to be written to a `.onnx` file.
 */
export function encodeOnnxModel(graph: OnnxGraph, producerVersion = '0.0.0'): Uint8Array {
  const w = new ProtoWriter();
  w.varint(1, IR_VERSION);
  w.string(2, '@cxr/model');
  w.string(3, producerVersion);
  w.message(7, (g) => {
    for (const n of graph.nodes) g.message(1, (nw) => writeNode(nw, n));
    g.string(2, graph.name);
    for (const t of graph.initializers) g.message(5, (tw) => writeTensor(tw, t));
    if (graph.docString) g.string(10, graph.docString);
    for (const v of graph.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of graph.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.varint(2, ONNX_OPSET);
  });
  return w.finish();
}
