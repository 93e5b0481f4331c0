"""Journey analytics for the merchant: where shoppers get to, where they stop, and what they could not find.

Computed from the journey log (`journey/events.py`) for a date range. A journey is one (conversation, journey
number); it reaches a funnel stage when it entered that stage or a later one (a shopper may add to the cart
straight from the results, skipping consideration). The charts of a report are drawn by `journey/charts.py`.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.taxonomy import FUNNEL, Stage
from db.models import Conversation, JourneyEvent
from db.session import Database
from journey.events import NUDGE_OUTCOMES

Journey = tuple[str, int]


@dataclass(frozen=True)
class DateRange:
    """Whole days, both ends included; an open end reaches as far as the data."""

    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"--since {self.since} is after --until {self.until}")

    def where(self, column) -> list:
        """SQL conditions keeping `column` (a naive UTC timestamp) inside the range."""
        conditions = []
        if self.since:
            conditions.append(column >= datetime.combine(self.since, time.min))
        if self.until:
            conditions.append(column < datetime.combine(self.until + timedelta(days=1), time.min))
        return conditions

    def __str__(self) -> str:
        if not self.since and not self.until:
            return "all time"
        return f"{self.since or 'the first day'} to {self.until or 'today'}"


@dataclass
class JourneyReport:
    """Every number of the report; `funnel` and `flows` also feed the charts."""

    period: str
    journeys: int
    funnel: dict[str, int]
    conversion: dict[str, float | None]
    drop_off: dict[str, int]
    median_minutes: dict[str, float]
    abandoned: int
    abandonment_rate: float | None
    resumed: int
    recovered: int
    searches: int
    zero_result_searches: list[tuple[str, int]]
    nudges: dict[str, dict[str, int]]
    flows: list[tuple[str, str, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class JourneyAnalytics:
    """Builds the journey report of a date range from the database."""

    def __init__(self, db: Database, top_searches: int = 10) -> None:
        if top_searches <= 0:
            raise ValueError("top_searches must be positive")
        self.db = db
        self.top_searches = top_searches

    def run(self, period: DateRange = DateRange()) -> JourneyReport:
        with self.db.transaction() as session:
            started = self._started(session, period)
            changes = self._events(session, period, "stage_change")
            searches = self._events(session, period, "search")
            nudges = self._events(session, period, "nudge_shown", "nudge_outcome")
        timelines = _timelines(started, changes)
        furthest = {
            journey: _furthest(stages) for journey, stages in _stages_by_journey(changes, started).items()
        }
        funnel = {
            stage.value: sum(FUNNEL.index(f) >= i for f in furthest.values())
            for i, stage in enumerate(FUNNEL)
        }
        abandoned = {(e.conversation_id, e.journey) for e in changes if e.to_stage == Stage.ABANDONED}
        resumed = {(e.conversation_id, e.journey) for e in changes if e.from_stage == Stage.ABANDONED}
        purchased = {(e.conversation_id, e.journey) for e in changes if e.to_stage == Stage.PURCHASED}
        counts = list(funnel.values())
        return JourneyReport(
            period=str(period),
            journeys=len(furthest),
            funnel=funnel,
            conversion={
                f"{a.value} → {b.value}": rate(counts[i + 1], counts[i])
                for i, (a, b) in enumerate(pairwise(FUNNEL))
            },
            drop_off={stage.value: sum(f == stage for f in furthest.values()) for stage in FUNNEL[:-1]},
            median_minutes=_median_minutes(timelines),
            abandoned=len(abandoned),
            abandonment_rate=rate(len(abandoned), funnel[Stage.CART.value]),
            resumed=len(resumed & abandoned),
            recovered=len(abandoned & purchased),
            searches=len(searches),
            zero_result_searches=_zero_results(searches, self.top_searches),
            nudges=_nudges(nudges),
            flows=[
                (a, b, n) for (a, b), n in Counter((e.from_stage, e.to_stage) for e in changes).most_common()
            ],
        )

    @staticmethod
    def _started(session: Session, period: DateRange) -> dict[str, datetime]:
        """When each conversation of the range started: its first journey begins at entry then."""
        rows = session.execute(
            select(Conversation.id, Conversation.created_at).where(*period.where(Conversation.created_at))
        )
        return dict(rows.all())

    @staticmethod
    def _events(session: Session, period: DateRange, *kinds: str) -> list[JourneyEvent]:
        query = (
            select(JourneyEvent)
            .where(JourneyEvent.kind.in_(kinds), *period.where(JourneyEvent.created_at))
            .order_by(JourneyEvent.conversation_id, JourneyEvent.id)
        )
        return list(session.scalars(query))


def _stages_by_journey(changes: list[JourneyEvent], started: dict[str, datetime]) -> dict[Journey, set[str]]:
    """The stages each journey entered; a conversation's first journey starts at entry."""
    stages: dict[Journey, set[str]] = {(cid, 1): {Stage.ENTRY.value} for cid in started}
    for event in changes:
        stages.setdefault((event.conversation_id, event.journey), set()).add(event.to_stage)
    return stages


def _furthest(stages: set[str]) -> Stage:
    reached = [stage for stage in FUNNEL if stage.value in stages]
    return reached[-1] if reached else Stage.ENTRY


def _timelines(
    started: dict[str, datetime], changes: list[JourneyEvent]
) -> dict[str, list[tuple[str, datetime]]]:
    """Per conversation, each stage it entered and when, in order (the log's id order is its time order)."""
    timelines: dict[str, list[tuple[str, datetime]]] = {
        cid: [(Stage.ENTRY.value, at)] for cid, at in started.items()
    }
    for event in changes:
        timelines.setdefault(event.conversation_id, []).append((event.to_stage, event.created_at))
    return timelines


def _median_minutes(timelines: dict[str, list[tuple[str, datetime]]]) -> dict[str, float]:
    """The median time a stay in each stage lasted; the stage a conversation is still in has not ended yet."""
    stays: dict[str, list[float]] = defaultdict(list)
    for timeline in timelines.values():
        for (stage, entered), (_next, left) in pairwise(timeline):
            stays[stage].append((left - entered).total_seconds() / 60)
    return {
        stage.value: round(statistics.median(stays[stage.value]), 2) for stage in Stage if stays[stage.value]
    }


def _zero_results(searches: list[JourneyEvent], top: int) -> list[tuple[str, int]]:
    """The most frequent searches that found nothing: what shoppers want and the catalog lacks."""
    queries = Counter(_search_words(event.data) for event in searches if event.data.get("results") == 0)
    return queries.most_common(top)


def _search_words(data: dict[str, Any]) -> str:
    """A search as the merchant reads it: its words, then the filters its words don't show. A refinement keeps
    the first search's words ("mugs") and adds a filter ("under 1"); without the filter, a report would list
    "mugs" as found nothing although the catalog has mugs."""
    query = " ".join(str(data.get("query", "")).lower().split())
    unsaid = [
        f"{name.replace('_', ' ')} {value}"
        for name, value in data.get("filters", {}).items()
        if str(value).lower() not in query
    ]
    return " · ".join([query, *unsaid])


def _nudges(events: list[JourneyEvent]) -> dict[str, dict[str, int]]:
    """Per nudge kind: how often it was shown, and each outcome's count."""
    table: dict[str, dict[str, int]] = {}
    for event in events:
        row = table.setdefault(
            str(event.data.get("kind", "unknown")), dict.fromkeys(("shown", *NUDGE_OUTCOMES), 0)
        )
        if event.kind == "nudge_shown":
            row["shown"] += 1
        elif event.data.get("outcome") in NUDGE_OUTCOMES:
            row[event.data["outcome"]] += 1
    return table


def format_table(report: JourneyReport) -> str:
    """The report as plain text for the terminal."""
    lines = [
        f"Journeys ({report.period}): {report.journeys}",
        "",
        f"{'stage':<15}{'reached':>9}{'next':>9}{'stopped':>9}{'median min':>12}",
    ]
    conversions = [*report.conversion.values(), None]  # the last stage converts to nothing
    for (stage, reached), conversion in zip(report.funnel.items(), conversions, strict=True):
        stopped = report.drop_off.get(stage)
        median = report.median_minutes.get(stage)
        lines.append(
            f"{stage:<15}{reached:>9}{_percent(conversion):>9}{'' if stopped is None else stopped:>9}"
            f"{'' if median is None else f'{median:.1f}':>12}"
        )
    for stage in (Stage.POST_PURCHASE.value, Stage.ABANDONED.value):
        if stage in report.median_minutes:
            lines.append(f"{stage:<15}{'':>27}{report.median_minutes[stage]:>12.1f}")
    lines += [
        "",
        f"Abandoned carts: {report.abandoned} of {report.funnel[Stage.CART.value]} journeys that reached the cart "
        f"({_percent(report.abandonment_rate)}); {report.resumed} came back, {report.recovered} of them bought.",
        "",
        f"Searches: {report.searches}; top searches with no results:",
    ]
    lines += [f"  {count:>5}  {query}" for query, count in report.zero_result_searches] or ["  (none)"]
    lines += ["", "Nudges (kind: shown, accepted, declined, ignored, acceptance):"]
    lines += [
        f"  {kind}: {row['shown']}, {row['accepted']}, {row['declined']}, {row['ignored']}, "
        f"{_percent(rate(row['accepted'], row['shown']))}"
        for kind, row in sorted(report.nudges.items())
    ] or ["  (no nudges recorded)"]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"
