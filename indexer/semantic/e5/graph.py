"""The e5 encoder as an ONNX graph: from word-plus-position embeddings to the mean of the last layer.

Plain ONNX operators (LayerNormalization, MatMul, Softmax, Erf); onnxruntime's
optimiser fuses them when it loads the graph (LayerNorm with the residual add,
MatMul with its bias, the erf GELU). One text per run, no batch axis, no
padding: ``embeddings`` is ``tokens × hidden``, ``mean`` is ``hidden``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from indexer.semantic.e5.weights import E5Weights

OPSET = 17


def build_graph(weights: E5Weights, first_layer: int = 0, last_layer: int | None = None,
                span_layers: int = 0) -> Any:  # onnx.ModelProto (onnx is imported here, at build time only)
    """The float32 graph of ``weights``' transformer (word embeddings stay outside: the caller adds them).

    It runs layers ``first_layer`` to ``last_layer`` (all by default). From layer 0 it reads ``embeddings`` and
    normalises them, else ``states`` (the token states after ``first_layer`` layers); to the last layer it gives
    their mean, ``mean``, else the token states, ``states``. With ``span_layers`` it is instead the answer
    reader's span head (:mod:`evaluation.train_fact_span`): from ``states``, its layers (tensors ``span0.*``,
    ``span1.*``, …) and a linear layer (``span.out``) give each token a start and an end logit, ``span``.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads, ffn = weights.hidden, weights.heads, weights.ffn
    head_size = hidden // heads
    nodes: list = []
    initialisers: list = []

    def const(name: str, value: np.ndarray) -> str:
        initialisers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=output, **attributes))
        return output

    def linear(x: str, prefix: str, rows: int, columns: int, out: str, factor: float = 1.0) -> str:
        matrix = weights.matrix(f"{prefix}.w", columns).reshape(rows, columns) * np.float32(factor)
        bias = weights.dense(f"{prefix}.b") * np.float32(factor)
        product = node("MatMul", [x, const(f"{prefix}.wt", matrix.T.astype(np.float32))], f"{out}.mm")
        return node("Add", [product, const(f"{prefix}.bias", bias.astype(np.float32))], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node("LayerNormalization", [x, const(f"{prefix}.w", weights.dense(f"{prefix}.w")),
                                           const(f"{prefix}.b", weights.dense(f"{prefix}.b"))],
                    out, axis=-1, epsilon=float(weights.eps))

    split = const("shape.split", np.array([0, heads, head_size], dtype=np.int64))
    join = const("shape.join", np.array([0, hidden], dtype=np.int64))

    def layer(x: str, p: str) -> str:
        # The attention scale is folded into the query weights.
        q = linear(x, f"{p}.q", hidden, hidden, f"{p}.query", 1.0 / math.sqrt(head_size))
        k = linear(x, f"{p}.k", hidden, hidden, f"{p}.key")
        v = linear(x, f"{p}.v", hidden, hidden, f"{p}.value")
        qh = node("Transpose", [node("Reshape", [q, split], f"{p}.qs")], f"{p}.qt", perm=[1, 0, 2])
        kh = node("Transpose", [node("Reshape", [k, split], f"{p}.ks")], f"{p}.kt", perm=[1, 2, 0])
        vh = node("Transpose", [node("Reshape", [v, split], f"{p}.vs")], f"{p}.vt", perm=[1, 0, 2])
        probabilities = node("Softmax", [node("MatMul", [qh, kh], f"{p}.scores")], f"{p}.probs", axis=-1)
        context = node("MatMul", [probabilities, vh], f"{p}.ctx")
        context = node("Reshape", [node("Transpose", [context], f"{p}.ctxt", perm=[1, 0, 2]), join], f"{p}.ctxj")
        attended = linear(context, f"{p}.ao", hidden, hidden, f"{p}.attn")
        x = layer_norm(node("Add", [x, attended], f"{p}.res1"), f"{p}.aln", f"{p}.x1")
        inner = linear(x, f"{p}.fi", ffn, hidden, f"{p}.inner")
        scaled = node("Mul", [inner, const(f"{p}.rsqrt2", np.array(1 / math.sqrt(2), dtype=np.float32))], f"{p}.gs")
        erf = node("Add", [node("Erf", [scaled], f"{p}.erf"), const(f"{p}.one", np.array(1, dtype=np.float32))],
                   f"{p}.erf1")
        gelu = node("Mul", [node("Mul", [inner, erf], f"{p}.gm"), const(f"{p}.half", np.array(0.5, np.float32))],
                    f"{p}.gelu")
        output = linear(gelu, f"{p}.fo", hidden, ffn, f"{p}.out")
        return layer_norm(node("Add", [x, output], f"{p}.res2"), f"{p}.oln", f"{p}.x2")

    inputs: list[tuple[str, list[str | int]]]
    outputs: list[tuple[str, list[str | int]]]
    if span_layers:
        x = "states"
        for index in range(span_layers):
            x = layer(x, f"span{index}")
        linear(x, "span.out", 2, hidden, "span")
        inputs, outputs = [("states", ["tokens", hidden])], [("span", ["tokens", 2])]
    else:
        last = weights.layers if last_layer is None else last_layer
        if first_layer == 0:
            x = layer_norm("embeddings", "emb.ln", "x0")
            inputs = [("embeddings", ["tokens", hidden])]
        else:
            x, inputs = "states", [("states", ["tokens", hidden])]
        for index in range(first_layer, last):
            x = layer(x, f"l{index}")
        if last == weights.layers:
            node("ReduceMean", [x], "mean", axes=[0], keepdims=0)
            outputs = [("mean", [hidden])]
        else:
            node("Identity", [x], "states")
            outputs = [("states", ["tokens", hidden])]
    graph = helper.make_graph(nodes, "e5", [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
                                            for name, shape in inputs],
                              [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
                               for name, shape in outputs], initialisers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="sok")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model
