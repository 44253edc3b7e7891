"""The semantic layer: one multilingual encoder, its embedding cache, answer units and the vectors of a snapshot.

Everything that knows about the model sits in :mod:`indexer.semantic.encoder`;
the rest of the pipeline sees only the :class:`~indexer.semantic.encoder.Encoder`
interface (``encode_queries``, ``encode_passages``, ``model_id``, ``dim``).
"""
