"""FLOPs per image of ONNX vision towers (MatMul, Gemm and Conv shapes after shape inference, batch 1; a multiply-add
counts 2) and this CPU's measured peak: the best float32 square MatMul (1024, 2048, 3072) in onnxruntime at 1 and N threads. Prints JSON."""
import json
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, shape_inference


def graph_flops(path: str) -> dict:
    m = onnx.load(path, load_external_data=False)
    for inp in m.graph.input:
        d = inp.type.tensor_type.shape.dim
        if d and not d[0].HasField('dim_value'):
            d[0].ClearField('dim_param')
            d[0].dim_value = 1
    m = shape_inference.infer_shapes(m, data_prop=True)
    shapes = {}
    for vi in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
        dims = [x.dim_value if x.HasField('dim_value') and x.dim_value > 0 else None for x in vi.type.tensor_type.shape.dim]
        shapes[vi.name] = dims
    for init in m.graph.initializer:
        shapes[init.name] = list(init.dims)
    total, by_op, unknown = 0, {}, 0
    for n in m.graph.node:
        f = None
        if n.op_type in ('MatMul', 'Gemm'):
            a, b = shapes.get(n.input[0]), shapes.get(n.input[1])
            out = shapes.get(n.output[0])
            if a and b and out and None not in out:
                # The contracted size from whichever operand knows it (attention products leave one symbolic).
                trans_a = any(at.name == 'transA' and at.i for at in n.attribute)
                trans_b = any(at.name == 'transB' and at.i for at in n.attribute)
                k = (a[-2] if trans_a else a[-1]) or (b[-1] if trans_b else b[-2])
                f = 2 * int(np.prod(out)) * k if k else None
        elif n.op_type == 'Conv':
            w, out = shapes.get(n.input[1]), shapes.get(n.output[0])
            if w and out and None not in w + out:
                f = 2 * int(np.prod(out)) * int(np.prod(w[1:]))
        if n.op_type in ('MatMul', 'Gemm', 'Conv'):
            if f is None:
                unknown += 1
            else:
                total += f
                by_op[n.op_type] = by_op.get(n.op_type, 0) + f
    return {'flops': total, 'by_op': by_op, 'unresolved_nodes': unknown}


def peak(threads: int) -> float:
    """Best rate over a few square sizes (the kernel's sweet spot varies with cache sizes)."""
    return max(peak_at(threads, n) for n in (1024, 2048, 3072))


def peak_at(threads: int, n: int, reps: int = 5) -> float:
    g = helper.make_graph([helper.make_node('MatMul', ['a', 'b'], ['c'])], 'peak',
                          [helper.make_tensor_value_info('a', TensorProto.FLOAT, [n, n]),
                           helper.make_tensor_value_info('b', TensorProto.FLOAT, [n, n])],
                          [helper.make_tensor_value_info('c', TensorProto.FLOAT, [n, n])])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
    model.ir_version = 8
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    s = ort.InferenceSession(model.SerializeToString(), so, providers=['CPUExecutionProvider'])
    a = np.random.rand(n, n).astype(np.float32)
    b = np.random.rand(n, n).astype(np.float32)
    s.run(None, {'a': a, 'b': b})
    best = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        s.run(None, {'a': a, 'b': b})
        best = max(best, 2 * n ** 3 / (time.perf_counter() - t0))
    return best


def main():
    spec = json.loads(sys.argv[1])
    out = {'models': {p: graph_flops(p) for p in spec['models']},
           'peak': {str(t): peak(t) for t in spec['threads']}, 'onnxruntime': ort.__version__}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
