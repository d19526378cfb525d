"""Checking returns row by row, over whole columns: every row accepted, or rejected with a reason.

Nothing is lost and nothing is invented: a row either passes every check and is accepted, or
is rejected with the first reason it fails (a stable code and a message naming the values).
Two rows for the same service, KPI and period are both rejected: neither is picked silently.
Rows a filter (``where``) leaves out are counted as excluded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs
import polars as pl

from contractkit.errors import ReturnsError
from contractkit.evaluate._plan import Plan, month_index, period_text
from contractkit.model._base import did_you_mean
from contractkit.returns._columns import FIELDS, NUMERIC, Source, parse_condition, to_source
from contractkit.returns._read import ROW, read_table

__all__ = ["REASONS", "Returns", "read_returns"]

REASONS: dict[str, str] = {
    "unknown_kpi": "the KPI is not in the contract",
    "unknown_service": "the service is not in the contract",
    "unknown_provider": "the provider is not in the contract",
    "no_service": "the row names neither a service nor a provider",
    "provider_without_kpi": "the provider has no service held to the KPI",
    "ambiguous_provider": "the provider has several services held to the KPI: name the service",
    "service_without_kpi": "the service is not held to the KPI",
    "unreadable_period": "the period is not a month, quarter or financial year",
    "wrong_period_kind": "the period is not of the kind the KPI is reported in",
    "outside_term": "the period is outside the contract's term",
    "before_commencement": "the period ends before the service commenced",
    "after_as_of": "the period starts after the evaluation date",
    "missing_field": "a field the KPI's measure needs is empty or absent",
    "not_a_number": "a numeric field holds something that is not a number",
    "negative": "a count, total or standard deviation is negative",
    "not_whole": "a count of cases or events is not a whole number",
    "numerator_above_denominator": "the numerator of a proportion exceeds its denominator",
    "duplicate": "more than one row for the same service, KPI and period (all are rejected)",
}
"""Why a returns row can be rejected: stable codes, each with a one-line description."""

_NEEDS = {
    "proportion": ("numerator", "denominator"),
    "rate": ("numerator", "denominator"),
    "mean": ("value", "count"),
    "count": ("numerator",),
}
_WHOLE = {
    "proportion": ("numerator", "denominator"),
    "rate": ("numerator",),
    "mean": ("count",),
    "count": ("numerator",),
}
_NON_NEGATIVE = ("numerator", "denominator", "count", "sd")
_KIND_NAMES = {1: "a month", 3: "a quarter", 12: "a financial year"}
_FREQUENCY = {1: "monthly", 3: "quarterly", 12: "annually"}


@attrs.frozen
class Returns:
    """Returns checked against a contract: the accepted rows, the rejected ones with their
    reasons, and the account that shows every input row."""

    accepted: pl.DataFrame
    """series_code, service_code, kpi_code, start (month index), months, numerator, denominator,
    value, count, sd, row."""
    rejected: pl.DataFrame
    """row, reason (a code from :data:`REASONS`), message, and the row's input columns."""
    total: int
    """Rows read from the source."""
    excluded: int
    """Rows a filter left out (not rejected: they were not meant for this contract)."""
    source: str

    @property
    def account(self) -> dict[str, Any]:
        """Every row accounted for: read = accepted + rejected + excluded, and why rejected."""
        reasons = (
            self.rejected.group_by("reason").len().sort("reason").rows()
            if self.rejected.height
            else []
        )
        return {
            "source": self.source,
            "read": self.total,
            "accepted": self.accepted.height,
            "rejected": self.rejected.height,
            "excluded": self.excluded,
            "rejected_by_reason": dict(reasons),
        }


def _resolve_sources(columns: Sequence[str], mapping: Mapping[str, str]) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for field in FIELDS:
        if field in mapping:
            sources[field] = to_source(mapping[field], columns)
        elif field in columns:
            sources[field] = Source(pl.col(field), (field,))
    return sources


def _missing_columns(sources: Mapping[str, Source], columns: Sequence[str]) -> None:
    needed = [f for f in ("kpi", "period") if f not in sources]
    if "service" not in sources and "provider" not in sources:
        needed.append("service (or provider)")
    if needed:
        hints = "".join(
            did_you_mean(n.split()[0], columns).replace("; did you mean", f"; for {n}, is it")
            for n in needed
        )
        names = ", ".join(repr(n) for n in needed)
        plural = "s" if len(needed) > 1 else ""
        raise ReturnsError(
            f"the returns have no {names} column{plural}{hints} (the columns are: "
            f"{', '.join(columns)}); map a column with --map COLUMN=FIELD, or give a constant "
            "such as --map \"'ucr-2h'=kpi\""
        )


def _period_columns(raw: pl.Expr, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """(first month index, length in months) of each period, null where unreadable."""
    if dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
        day = raw.cast(pl.Date)
        start = day.dt.year().cast(pl.Int64) * 12 + day.dt.month().cast(pl.Int64) - 1
        return start, pl.when(start.is_not_null()).then(pl.lit(1, pl.Int64))
    text = raw.cast(pl.String).str.strip_chars()
    month = text.str.extract_groups(r"^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?(?:[ T].*)?$")
    year = month.struct.field("1").cast(pl.Int64)
    mon = month.struct.field("2").cast(pl.Int64)
    day_text = month.struct.field("3")
    valid_day = day_text.is_null() | (
        pl.concat_str([month.struct.field("1"), month.struct.field("2"), day_text], separator="-")
        .str.to_date("%Y-%m-%d", strict=False)
        .is_not_null()
    )
    month_start = pl.when((mon >= 1) & (mon <= 12) & valid_day).then(year * 12 + mon - 1)
    quarter = text.str.extract_groups(r"^([0-9]{4})/([0-9]{2})\s+[Qq]([1-4])$")
    q_year = quarter.struct.field("1").cast(pl.Int64)
    q_ok = (q_year + 1) % 100 == quarter.struct.field("2").cast(pl.Int64)
    q_start = pl.when(q_ok).then(
        q_year * 12 + 3 + (quarter.struct.field("3").cast(pl.Int64) - 1) * 3
    )
    fy = text.str.extract_groups(r"^([0-9]{4})/([0-9]{2})$")
    fy_year = fy.struct.field("1").cast(pl.Int64)
    fy_ok = (fy_year + 1) % 100 == fy.struct.field("2").cast(pl.Int64)
    fy_start = pl.when(fy_ok).then(fy_year * 12 + 3)
    start = pl.coalesce(month_start, q_start, fy_start)
    months = (
        pl.when(month_start.is_not_null())
        .then(pl.lit(1, pl.Int64))
        .when(q_start.is_not_null())
        .then(pl.lit(3, pl.Int64))
        .when(fy_start.is_not_null())
        .then(pl.lit(12, pl.Int64))
    )
    return start, months


def read_returns(
    source: Any,
    plan: Plan,
    *,
    columns: Mapping[str, str] | None = None,
    where: str | None = None,
    as_of: date | None = None,
    sheet: str | None = None,
) -> Returns:
    """Read returns and check every row against the contract's plan."""
    table, name = read_table(source, sheet=sheet)
    input_columns = [c for c in table.columns if c != ROW]
    sources = _resolve_sources(input_columns, columns or {})
    _missing_columns(sources, input_columns)
    total = table.height
    excluded = 0
    if where:
        keep = table.select(parse_condition(where, input_columns)).to_series()
        excluded = int((~keep).sum())
        table = table.filter(keep)

    frame = table.select(
        pl.col(ROW),
        *[
            (sources[f].as_text() if f in sources else pl.lit(None, pl.String)).alias(f"_{f}")
            for f in ("service", "provider", "kpi")
        ],
        (sources["period"].expression).alias("_period_raw"),
        *[
            (sources[f].as_number() if f in sources else pl.lit(None, pl.Float64)).alias(f)
            for f in sorted(NUMERIC)
        ],
        *[_unreadable(sources[f]).alias(f"_bad_{f}") for f in sorted(NUMERIC) if f in sources],
    )
    start, months = _period_columns(pl.col("_period_raw"), frame.schema["_period_raw"])
    frame = frame.with_columns(_start=start, _months=months)

    # KPI and service, by joins on small tables.
    kpis = plan.kpis.select(
        pl.col("kpi").alias("_kpi"), "kpi_code", "measure", "reported_months", "per"
    )
    frame = frame.join(kpis, on="_kpi", how="left")
    services = plan.services.select(
        pl.col("service").alias("_service"),
        pl.col("service_code").alias("_by_service"),
        pl.col("commences_month").alias("_commences_s"),
    )
    frame = frame.join(services, on="_service", how="left")
    by_provider = (
        plan.series.join(
            plan.services.select("service_code", "provider", "commences_month"), on="service_code"
        )
        .group_by("provider", "kpi_code")
        .agg(
            pl.len().alias("_n_services"),
            pl.col("service_code").first().alias("_by_provider"),
            pl.col("commences_month").first().alias("_commences_p"),
        )
        .rename({"provider": "_provider"})
    )
    frame = frame.join(by_provider, on=["_provider", "kpi_code"], how="left")
    known_providers = plan.services.get_column("provider").unique()
    frame = frame.with_columns(
        service_code=pl.when(pl.col("_service").is_not_null())
        .then(pl.col("_by_service"))
        .otherwise(pl.when(pl.col("_n_services") == 1).then(pl.col("_by_provider"))),
        _commences=pl.when(pl.col("_service").is_not_null())
        .then(pl.col("_commences_s"))
        .otherwise(pl.col("_commences_p")),
    )
    frame = frame.join(
        plan.series.select("series_code", "service_code", "kpi_code"),
        on=["service_code", "kpi_code"],
        how="left",
    )

    last_month = None if as_of is None else month_index(as_of)
    reason = _first_failing(frame, plan, known_providers, last_month)
    frame = frame.with_columns(_reason=reason)
    # Duplicates among rows that pass everything else: reject them all.
    dupes = (
        pl.when(pl.col("_reason").is_null())
        .then(pl.len().over("series_code", "_start"))
        .otherwise(0)
    )
    frame = frame.with_columns(_copies=dupes)
    frame = frame.with_columns(
        _reason=pl.when(pl.col("_copies") > 1)
        .then(pl.lit("duplicate"))
        .otherwise(pl.col("_reason")),
        _rows=pl.when(pl.col("_copies") > 1).then(
            pl.col(ROW).over("series_code", "_start", mapping_strategy="join")
        ),
    )
    accepted = frame.filter(pl.col("_reason").is_null()).select(
        pl.col(ROW),
        "series_code",
        "service_code",
        "kpi_code",
        pl.col("_start").alias("start"),
        pl.col("_months").alias("months"),
        *sorted(NUMERIC),
    )
    rejected_rows = frame.filter(pl.col("_reason").is_not_null())
    messages = _messages(rejected_rows, plan)
    originals = table.join(
        rejected_rows.select(ROW, pl.col("_reason").alias("reason")), on=ROW, how="inner"
    )
    rejected = (
        originals.join(messages, on=ROW, how="left")
        .select(ROW, "reason", "message", *input_columns)
        .sort(ROW)
    )
    return Returns(
        accepted=accepted.sort(ROW), rejected=rejected, total=total, excluded=excluded, source=name
    )


def _unreadable(source: Source) -> pl.Expr:
    """Whether any column a numeric field reads holds text that is not a number."""
    bad = pl.lit(False)
    for column in source.columns:
        text = pl.col(column).cast(pl.String).str.strip_chars()
        parsed = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
        bad = bad | (text.is_not_null() & (text != "") & parsed.is_null())
    return bad


def _first_failing(
    frame: pl.DataFrame, plan: Plan, known_providers: pl.Series, last_month: int | None
) -> pl.Expr:
    """The first check each row fails, as a reason code (null when it passes them all)."""
    measure = pl.col("measure")
    end = pl.col("_start") + pl.col("_months") - 1
    checks: list[tuple[pl.Expr, str]] = [
        (pl.col("_kpi").is_null() | pl.col("kpi_code").is_null(), "unknown_kpi"),
        (pl.col("_service").is_null() & pl.col("_provider").is_null(), "no_service"),
        (pl.col("_service").is_not_null() & pl.col("_by_service").is_null(), "unknown_service"),
        (
            pl.col("_service").is_null() & ~pl.col("_provider").is_in(known_providers.implode()),
            "unknown_provider",
        ),
        (pl.col("_service").is_null() & pl.col("_n_services").is_null(), "provider_without_kpi"),
        (pl.col("_service").is_null() & (pl.col("_n_services") > 1), "ambiguous_provider"),
        (pl.col("series_code").is_null(), "service_without_kpi"),
        (pl.col("_start").is_null(), "unreadable_period"),
        (pl.col("_months") != pl.col("reported_months"), "wrong_period_kind"),
        ((end < plan.term_start_month) | (pl.col("_start") > plan.term_end_month), "outside_term"),
        (end < pl.col("_commences"), "before_commencement"),
    ]
    if last_month is not None:
        checks.append((pl.col("_start") > last_month, "after_as_of"))
    bad_columns = [c for c in frame.columns if c.startswith("_bad_")]
    checks.append(
        (
            pl.any_horizontal(*[pl.col(c) for c in bad_columns]) if bad_columns else pl.lit(False),
            "not_a_number",
        )
    )
    missing = pl.lit(False)
    for kind, fields in _NEEDS.items():
        for field in fields:
            missing = missing | ((measure == kind) & pl.col(field).is_null())
    missing = missing | ((measure == "mean") & (pl.col("count") >= 2) & pl.col("sd").is_null())
    checks.append((missing, "missing_field"))
    negative = pl.any_horizontal(*[pl.col(f) < 0 for f in _NON_NEGATIVE])
    checks.append((negative.fill_null(False), "negative"))
    not_whole = pl.lit(False)
    for kind, fields in _WHOLE.items():
        for field in fields:
            not_whole = not_whole | ((measure == kind) & (pl.col(field) != pl.col(field).floor()))
    checks.append((not_whole.fill_null(False), "not_whole"))
    checks.append(
        (
            ((measure == "proportion") & (pl.col("numerator") > pl.col("denominator"))).fill_null(
                False
            ),
            "numerator_above_denominator",
        )
    )
    reason: pl.Expr = pl.lit(None, pl.String)
    for condition, code in reversed(checks):
        reason = pl.when(condition.fill_null(False)).then(pl.lit(code)).otherwise(reason)
    return reason


def _messages(rows: pl.DataFrame, plan: Plan) -> pl.DataFrame:
    """A message for each rejected row, naming the values at fault."""
    if rows.height == 0:
        return pl.DataFrame(schema={ROW: pl.Int64, "message": pl.String})
    kpi_ids = plan.kpis.get_column("kpi").to_list()
    service_ids = plan.services.get_column("service").to_list()
    providers = plan.services.get_column("provider").unique().to_list()

    def suggest(values: pl.Series, known: list[str]) -> dict[str, str]:
        return {v: did_you_mean(v, known) for v in values.drop_nulls().unique().to_list()}

    kpi_hint = suggest(rows.get_column("_kpi"), kpi_ids)
    service_hint = suggest(rows.get_column("_service"), service_ids)
    provider_hint = suggest(rows.get_column("_provider"), providers)
    kpi = pl.col("_kpi")
    service_or_provider = pl.coalesce(pl.col("_service"), pl.col("_provider"))
    kind = pl.col("_months").replace_strict(_KIND_NAMES, default="a period", return_dtype=pl.String)
    reported = pl.col("reported_months").replace_strict(
        _FREQUENCY, default="?", return_dtype=pl.String
    )
    period = pl.coalesce(
        period_text(pl.col("_start"), pl.col("_months")), pl.col("_period_raw").cast(pl.String)
    )
    bad_columns = [c for c in rows.columns if c.startswith("_bad_")]
    unreadable_fields = (
        pl.concat_str(
            [pl.when(pl.col(c)).then(pl.lit(c[5:])) for c in bad_columns],
            separator=", ",
            ignore_nulls=True,
        )
        if bad_columns
        else pl.lit("")
    )
    needed = pl.col("measure").replace_strict(
        {k: " and ".join(v) for k, v in _NEEDS.items()}, default="", return_dtype=pl.String
    )
    message = (
        pl.when(pl.col("_reason") == "unknown_kpi")
        .then(pl.format("unknown KPI '{}'{}", kpi, kpi.replace_strict(kpi_hint, default="")))
        .when(pl.col("_reason") == "unknown_service")
        .then(
            pl.format(
                "unknown service '{}'{}",
                pl.col("_service"),
                pl.col("_service").replace_strict(service_hint, default=""),
            )
        )
        .when(pl.col("_reason") == "unknown_provider")
        .then(
            pl.format(
                "unknown provider '{}'{}",
                pl.col("_provider"),
                pl.col("_provider").replace_strict(provider_hint, default=""),
            )
        )
        .when(pl.col("_reason") == "no_service")
        .then(pl.lit("no service or provider given"))
        .when(pl.col("_reason") == "provider_without_kpi")
        .then(pl.format("provider '{}' has no service held to KPI '{}'", pl.col("_provider"), kpi))
        .when(pl.col("_reason") == "ambiguous_provider")
        .then(
            pl.format(
                "provider '{}' has {} services held to KPI '{}': give the service",
                pl.col("_provider"),
                pl.col("_n_services"),
                kpi,
            )
        )
        .when(pl.col("_reason") == "service_without_kpi")
        .then(pl.format("service '{}' is not held to KPI '{}'", service_or_provider, kpi))
        .when(pl.col("_reason") == "unreadable_period")
        .then(
            pl.format(
                "'{}' is not a period: write a month (2026-07), a date (2026-07-01), a "
                "quarter (2026/27 Q2) or a financial year (2026/27)",
                pl.col("_period_raw").cast(pl.String),
            )
        )
        .when(pl.col("_reason") == "wrong_period_kind")
        .then(pl.format("{} is {}, but KPI '{}' is reported {}", period, kind, kpi, reported))
        .when(pl.col("_reason") == "outside_term")
        .then(pl.format("{} is outside the contract's term", period))
        .when(pl.col("_reason") == "before_commencement")
        .then(pl.format("{} ends before the service commenced", period))
        .when(pl.col("_reason") == "after_as_of")
        .then(pl.format("{} starts after the evaluation date", period))
        .when(pl.col("_reason") == "not_a_number")
        .then(pl.format("not a number in: {}", unreadable_fields))
        .when(pl.col("_reason") == "missing_field")
        .then(
            pl.format("a {} needs {} (and sd, for a count of 2 or more)", pl.col("measure"), needed)
        )
        .when(pl.col("_reason") == "negative")
        .then(pl.lit("a negative count, total or sd"))
        .when(pl.col("_reason") == "not_whole")
        .then(pl.format("a {} needs whole numbers of cases", pl.col("measure")))
        .when(pl.col("_reason") == "numerator_above_denominator")
        .then(
            pl.format(
                "numerator {} is more than denominator {}",
                pl.col("numerator"),
                pl.col("denominator"),
            )
        )
        .when(pl.col("_reason") == "duplicate")
        .then(
            pl.format(
                "{} rows for {} / {} / {} (rows {}): none is used",
                pl.col("_rows").list.len(),
                service_or_provider,
                kpi,
                period,
                pl.col("_rows").cast(pl.List(pl.String)).list.join(", "),
            )
        )
        .otherwise(pl.col("_reason"))
    )
    return rows.select(pl.col(ROW), message.alias("message"))
