"""chainkg: a knowledge graph of a city's industrial chains and the policies behind them.

The data flow, one module per stage: :mod:`kg.tables` (CSV) → :mod:`kg.validate` → :mod:`kg.build` (RDF) →
:mod:`kg.store` (Oxigraph) → :mod:`kg.query` / :mod:`kg.questions` (rows) → analysis, maps, exports.
"""

__version__ = "0.1.0"
