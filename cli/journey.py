"""The journey: `shopassist journey report`, `sweep` and `train`, and `shopassist simulate`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from cli.app import DataDirOption, DbOption, UserError, app, journey_app, settings_for


@journey_app.command("report")
def journey_report(
    since: Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD (UTC).")] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last day, YYYY-MM-DD (UTC), included.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Also write the charts (PNG and HTML) and report.json here.")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Funnel and journey analytics: a table on stdout; with --out, the funnel and journey-map charts."""
    from datetime import date

    from assistant.bootstrap import open_database
    from journey.analytics import DateRange, JourneyAnalytics, format_table

    try:
        period = DateRange(*(date.fromisoformat(day) if day else None for day in (since, until)))
    except ValueError as error:
        raise UserError(f"invalid date range: {error}") from None
    database = open_database(settings_for(db, data_dir), demo_catalog=False)
    report = JourneyAnalytics(database).run(period)
    print(format_table(report))
    if out is not None:
        from journey.charts import write_charts

        written = write_charts(report, out)
        (out / "report.json").write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        print(f"wrote {', '.join(path.name for path in written)} and report.json to {out}", file=sys.stderr)


@journey_app.command("sweep")
def journey_sweep(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Mark conversations idle in cart or checkout past the timeout abandoned (the server does it every minute)."""
    from assistant.bootstrap import open_database
    from journey.abandonment import AbandonmentSweep

    settings = settings_for(db, data_dir)
    marked = AbandonmentSweep(
        open_database(settings, demo_catalog=False), settings.abandon_after_minutes
    ).run()
    print(f"marked {marked} conversation{'' if marked == 1 else 's'} abandoned")


@journey_app.command("train")
def journey_train(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the held-out split and the models.")] = 0,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Retrain the purchase-propensity model from the logged journeys; prints its held-out AUC."""
    from assistant.bootstrap import open_database
    from core.errors import NotEnoughJourneys
    from journey.propensity import train

    settings = settings_for(db, data_dir)
    started = time.perf_counter()
    try:
        report = train(open_database(settings, demo_catalog=False), settings.data_dir / "propensity", seed)
    except NotEnoughJourneys as error:
        raise UserError(str(error)) from None
    print(report.summary())
    print(
        f"saved to {settings.data_dir / 'propensity'} in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )


@app.command()
def simulate(
    shoppers: Annotated[int, typer.Option("--shoppers", min=1, help="How many shoppers.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same shoppers.")] = 0,
    days: Annotated[
        float, typer.Option("--days", min=0.01, help="Spread the conversations over this many past days.")
    ] = 14.0,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Drive the assistant with simulated shoppers (personas) to fill the database; prints a summary."""
    from assistant.bootstrap import build_assistant
    from harness.simulation.simulator import Simulator

    summary = Simulator(build_assistant(settings_for(db, data_dir)), seed, days).run(shoppers, progress=True)
    print(summary.table())
