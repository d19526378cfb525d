"""The kernel every package shares, and nothing else: months as whole numbers and back, exact
sums of pence, money written as text, the reading and checking of input tables, array types,
and the words that suggest a name. Private to contractkit (no public names here), but any package
may import it: it imports nothing above the value types (:mod:`contractkit.errors`,
:mod:`contractkit.periods`, :mod:`contractkit.money`)."""
