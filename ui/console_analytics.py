"""The console's analytics tab: the journey report of `shopassist journey report`, drawn for an agent or a
merchant in the browser (the funnel, the journey map and the searches that found nothing)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from db.session import Database
from journey.analytics import JourneyAnalytics, JourneyReport
from journey.charts import write_charts


def summary(report: JourneyReport) -> str:
    """The report's headline numbers, as Markdown."""
    rate = "—" if report.abandonment_rate is None else f"{report.abandonment_rate:.0%}"
    return (
        f"**{report.journeys}** journeys ({report.period}) · **{report.funnel['purchased']}** purchased · "
        f"**{report.abandoned}** carts abandoned ({rate}), {report.recovered} recovered · "
        f"**{report.searches}** searches"
    )


def analytics(db: Database, charts_dir: Path) -> tuple[str, str, pd.DataFrame, str]:
    """The funnel and journey-map PNGs (written into `charts_dir`), the zero-result searches and a summary."""
    report = JourneyAnalytics(db).run()
    funnel_png, _funnel_html, map_png, _map_html = write_charts(report, charts_dir)
    zero = pd.DataFrame(report.zero_result_searches, columns=["Search that found nothing", "Times"])
    return str(funnel_png), str(map_png), zero, summary(report)
