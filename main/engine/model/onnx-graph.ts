// Small ONNX graphs the engine builds itself (no file on disk): the protobuf bytes of a one-node ModelProto.
//
// Only what these graphs need of onnx.proto3: ModelProto (ir_version 1, producer_name 2, graph 7, opset_import 8),
// GraphProto (node 1, name 2, input 11, output 12), NodeProto (input 1, output 2, name 3, op_type 4), ValueInfoProto
// (name 1, type 2), TypeProto.tensor_type 1 (elem_type 1, shape 2), TensorShapeProto.dim 1 (dim_value 1, dim_param 2).
// No onnxruntime here: the bytes go to onnx-runtime.ts like a file's would.

/** ONNX TensorProto.DataType values used here. */
export const OnnxType = { FLOAT: 1 } as const;

export interface OnnxValue {
  name: string;
  elemType: number;
  /** A number is a fixed size, a string a symbolic one ('n'). */
  shape: (number | string)[];
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
}

const text = new TextEncoder();

class ProtoWriter {
  private parts: number[] = [];

  private varint(v: number): void {
    // Non-negative integers below 2^53: enough for every field written here.
    while (v >= 0x80) {
      this.parts.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.parts.push(v);
  }

  int(field: number, v: number): this {
    this.varint((field << 3) | 0);
    this.varint(v);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, text.encode(s));
  }

  message(field: number, w: ProtoWriter): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function valueInfo(v: OnnxValue): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensor = new ProtoWriter().int(1, v.elemType).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensor));
}

/** ModelProto bytes of a graph made of `nodes` (default-domain operators of `opset`). */
export function buildOnnxModel(g: { name: string; nodes: OnnxNode[]; inputs: OnnxValue[]; outputs: OnnxValue[]; opset?: number }): Uint8Array {
  const graph = new ProtoWriter();
  g.nodes.forEach((n, i) => {
    const node = new ProtoWriter();
    for (const x of n.inputs) node.string(1, x);
    for (const x of n.outputs) node.string(2, x);
    node.string(3, `${n.opType.toLowerCase()}_${i}`).string(4, n.opType);
    graph.message(1, node);
  });
  graph.string(2, g.name);
  for (const v of g.inputs) graph.message(11, valueInfo(v));
  for (const v of g.outputs) graph.message(12, valueInfo(v));
  return new ProtoWriter()
    .int(1, 8) // IR version 8 (ONNX 1.10+), read by every onnxruntime in use
    .string(2, 'geosift')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, g.opset ?? 13))
    .finish();
}

/** scores[n, k] = vectors[n, dim] x queries[dim, k]: the graph behind the engine's exact search. */
export function matMulScoringModel(): Uint8Array {
  return buildOnnxModel({
    name: 'geosift_scores',
    nodes: [{ opType: 'MatMul', inputs: ['vectors', 'queries'], outputs: ['scores'] }],
    inputs: [
      { name: 'vectors', elemType: OnnxType.FLOAT, shape: ['n', 'dim'] },
      { name: 'queries', elemType: OnnxType.FLOAT, shape: ['dim', 'k'] },
    ],
    outputs: [{ name: 'scores', elemType: OnnxType.FLOAT, shape: ['n', 'k'] }],
  });
}
