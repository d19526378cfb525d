"""Returns: the data side. One documented long format, read from CSV, Excel, Parquet, or a
polars or pandas frame, checked row by row with every row accounted for."""

from contractkit._kernel.public import publish
from contractkit.returns._columns import FIELDS, parse_mapping
from contractkit.returns._validate import REASONS, Returns, read_returns

__all__ = ["FIELDS", "REASONS", "Returns", "parse_mapping", "read_returns"]

publish(__name__, __all__, globals())
