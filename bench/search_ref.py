"""Baselines of exact search: numpy (scores = V @ q, argpartition + sort of the top 10), and the same product as an
onnxruntime MatMul (MLAS, the kernels our engine's onnxruntime-node has) with V bound once; per-query ms as JSON."""
import json
import sys
import time

import numpy as np

dim = int(sys.argv[3])
v = np.fromfile(sys.argv[1], dtype=np.float32).reshape(-1, dim)
q = np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, dim)


def top10(s):
    top = np.argpartition(-s, 10)[:10]
    return top[np.argsort(-s[top], kind='stable')]


ms = []
for i in range(len(q)):
    t0 = time.perf_counter()
    top10(v @ q[i])
    ms.append((time.perf_counter() - t0) * 1000)

ort_ms = []
try:
    import onnxruntime as ort
    from onnx import TensorProto, helper

    g = helper.make_graph([helper.make_node('MatMul', ['v', 'q'], ['s'])], 'score',
                          [helper.make_tensor_value_info('v', TensorProto.FLOAT, ['n', dim]),
                           helper.make_tensor_value_info('q', TensorProto.FLOAT, [dim, 1])],
                          [helper.make_tensor_value_info('s', TensorProto.FLOAT, ['n', 1])])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
    model.ir_version = 8
    sess = ort.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])
    vv = ort.OrtValue.ortvalue_from_numpy(v)
    for i in range(len(q)):
        t0 = time.perf_counter()
        qq = ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(q[i].reshape(dim, 1)))
        s = sess.run_with_ort_values(['s'], {'v': vv, 'q': qq})[0].numpy().ravel()
        top10(s)
        ort_ms.append((time.perf_counter() - t0) * 1000)
except Exception as e:  # noqa: BLE001 - the ORT variant is informative only
    print(f'onnxruntime variant skipped: {e}', file=sys.stderr)
print(json.dumps({'ms': ms, 'ort_ms': ort_ms}))
