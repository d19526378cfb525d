"""Returns: the data side. One documented long format, read from CSV, Excel, Parquet, or a
polars or pandas frame, checked row by row with every row accounted for."""

from contractkit._kernel.public import publish
from contractkit.returns._columns import FIELDS, parse_mapping
from contractkit.returns._contract_series import ContractSeries
from contractkit.returns._reasons import REASONS
from contractkit.returns._returns import Returns
from contractkit.returns._validate import read_returns

__all__ = ["FIELDS", "REASONS", "ContractSeries", "Returns", "parse_mapping", "read_returns"]

publish(__name__, __all__, globals())
