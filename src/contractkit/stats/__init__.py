"""Pure numerics on arrays, usable on their own from a notebook: intervals, one-sided exact
tests, power, and SPC (XmR charts with the Making Data Count rules; c, u, p and Laney p′ and u′
charts, and the rule that chooses among them). No contract types here, and nothing else of
contractkit's: ``contractkit.stats.blockwise`` (working through long columns a block at a time)
serves the returns reader and the evaluator as well."""

from contractkit.stats.attribute import (
    AttributeChart,
    ControlBatch,
    c_chart,
    choose_chart,
    control_batch,
    control_chart,
    overdispersion_bound,
    p_chart,
    p_prime_chart,
    u_chart,
    u_prime_chart,
)
from contractkit.stats.exact import binomial_p_value, poisson_p_value, t_p_value
from contractkit.stats.intervals import mean_interval, poisson_interval, wilson_interval
from contractkit.stats.power import (
    binomial_flag_probability,
    binomial_shortfall,
    mean_shortfall,
    poisson_shortfall,
)
from contractkit.stats.spc import PROFILES, SeriesChart, XmrChart, xmr, xmr_batch

__all__ = [
    "PROFILES",
    "AttributeChart",
    "ControlBatch",
    "SeriesChart",
    "XmrChart",
    "binomial_flag_probability",
    "binomial_p_value",
    "binomial_shortfall",
    "c_chart",
    "choose_chart",
    "control_batch",
    "control_chart",
    "mean_interval",
    "mean_shortfall",
    "overdispersion_bound",
    "p_chart",
    "p_prime_chart",
    "poisson_interval",
    "poisson_p_value",
    "poisson_shortfall",
    "t_p_value",
    "u_chart",
    "u_prime_chart",
    "wilson_interval",
    "xmr",
    "xmr_batch",
]
