"""chainkg: a knowledge graph of a city's industrial chains and the policies behind them.

The data flow, one module per stage: :mod:`kg.manifest` (the dataset folder) → :mod:`kg.tables` (CSV rows, streamed)
→ :mod:`kg.data.validate` (row checks) → :mod:`kg.build` (N-Quads into the bulk loader; :mod:`kg.emit` writes a row's
quads, :mod:`kg.summary` counts on the way) → :mod:`kg.store` (open the Oxigraph store) → :mod:`kg.query` /
:mod:`kg.resolve` / :mod:`kg.questions` (rows) → analysis, maps, exports. :mod:`kg.codes` holds the code lists every
stage shares.
"""

__version__ = "0.1.0"
