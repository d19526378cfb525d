"""Pure numerics on arrays, usable on their own from a notebook: intervals, one-sided exact
tests, power, and SPC (XmR charts with the Making Data Count rules). No contract types here."""

from contractkit.stats.exact import binomial_p_value, poisson_p_value, t_p_value
from contractkit.stats.intervals import poisson_interval, wilson_interval
from contractkit.stats.power import (
    binomial_flag_probability,
    binomial_shortfall,
    mean_shortfall,
    poisson_shortfall,
)
from contractkit.stats.spc import PROFILES, XmrChart, xmr, xmr_batch

__all__ = [
    "PROFILES",
    "XmrChart",
    "binomial_flag_probability",
    "binomial_p_value",
    "binomial_shortfall",
    "mean_shortfall",
    "poisson_interval",
    "poisson_p_value",
    "poisson_shortfall",
    "t_p_value",
    "wilson_interval",
    "xmr",
    "xmr_batch",
]
