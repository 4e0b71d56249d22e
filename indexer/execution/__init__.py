"""Where the per-file work runs: the supervised process pool (:mod:`indexer.execution.pool`)
or a Dask cluster (:mod:`indexer.execution.cluster`), behind one interface
(:class:`~indexer.execution.cluster.Executor`); the typed messages between the pool's
supervisor and its workers (:mod:`indexer.execution.messages`); and what the pool's fork
server loads before forking workers (:mod:`indexer.execution.preload`).

Importing this package loads nothing: the search side may import :mod:`indexer.model`
without the pool, multiprocessing or Dask.
"""
