"""The journey report's charts: the funnel and the journey map (a Sankey of the flows between stages).

Each is written twice: a PNG drawn with matplotlib, for documents and e-mail, and an interactive HTML page
drawn with plotly, whose script is written once next to the pages so they open without a network.
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go

# Figures without pyplot: no global state and no GUI backend, so charts draw on servers without a display.
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as CurvePath

from core.taxonomy import Stage
from journey.analytics import JourneyReport

# Where each stage sits on the map: the funnel left to right, the ways out of it below.
LAYOUT = {
    Stage.ENTRY: (0, 0.0),
    Stage.BROWSING: (1, 0.0),
    Stage.CONSIDERATION: (2, 0.0),
    Stage.CART: (3, 0.0),
    Stage.CHECKOUT: (4, 0.0),
    Stage.PURCHASED: (5, 0.0),
    Stage.ABANDONED: (4.5, -1.0),
    Stage.POST_PURCHASE: (6, -1.0),
}
COLORS = {
    Stage.ENTRY: "#9e9e9e",
    Stage.BROWSING: "#64b5f6",
    Stage.CONSIDERATION: "#4db6ac",
    Stage.CART: "#ffb74d",
    Stage.CHECKOUT: "#ba68c8",
    Stage.PURCHASED: "#66bb6a",
    Stage.ABANDONED: "#e57373",
    Stage.POST_PURCHASE: "#a1887f",
}


def write_charts(report: JourneyReport, out_dir: Path) -> list[Path]:
    """Writes funnel.png, funnel.html, journey_map.png and journey_map.html into `out_dir`; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / name for name in ("funnel.png", "funnel.html", "journey_map.png", "journey_map.html")]
    _funnel_png(report, paths[0])
    _funnel_figure(report).write_html(paths[1], include_plotlyjs="directory")
    _sankey_png(report, paths[2])
    _sankey_figure(report).write_html(paths[3], include_plotlyjs="directory")
    return paths


def _funnel_png(report: JourneyReport, path: Path) -> None:
    stages, counts = list(report.funnel), list(report.funnel.values())
    widest = max(counts) or 1
    fig = Figure(figsize=(9, 5))
    ax = fig.subplots()
    for row, (stage, count) in enumerate(zip(stages, counts, strict=True)):
        ax.barh(row, count, left=(widest - count) / 2, color=COLORS[Stage(stage)], height=0.8)
        share = f" · {count / counts[0]:.0%} of entries" if counts[0] else ""
        if row and counts[row - 1]:
            share += f" · {count / counts[row - 1]:.0%} of {stages[row - 1]}"
        ax.text(widest / 2, row, f"{stage}: {count}{share}", ha="center", va="center", fontsize=11)
    ax.set_ylim(len(stages) - 0.5, -0.5)
    ax.set_xlim(0, widest)
    ax.axis("off")
    ax.set_title(f"Shopping funnel, {report.period} ({report.journeys} journeys)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _funnel_figure(report: JourneyReport) -> go.Figure:
    figure = go.Figure(
        go.Funnel(
            y=list(report.funnel),
            x=list(report.funnel.values()),
            textinfo="value+percent initial+percent previous",
            marker={"color": [COLORS[Stage(stage)] for stage in report.funnel]},
        )
    )
    figure.update_layout(title=f"Shopping funnel, {report.period} ({report.journeys} journeys)")
    return figure


def _node_sizes(report: JourneyReport) -> dict[Stage, int]:
    """How many journeys passed through each stage: the larger of what flowed in and what flowed out."""
    inflow, outflow = dict.fromkeys(Stage, 0), dict.fromkeys(Stage, 0)
    for source, target, count in report.flows:
        outflow[Stage(source)] += count
        inflow[Stage(target)] += count
    return {stage: max(inflow[stage], outflow[stage]) for stage in Stage}


def _sankey_png(report: JourneyReport, path: Path) -> None:
    sizes = _node_sizes(report)
    scale = 0.8 / (max(sizes.values()) or 1)  # the largest stage is 0.8 units tall
    fig = Figure(figsize=(13, 6))
    ax = fig.subplots()
    out_offset, in_offset = dict.fromkeys(Stage, 0.0), dict.fromkeys(Stage, 0.0)
    # Forward flows take the top of each stage's bar, backward ones its bottom, where their loops start.
    backward = lambda flow: LAYOUT[Stage(flow[1])][0] <= LAYOUT[Stage(flow[0])][0]  # noqa: E731
    for source, target, count in sorted(report.flows, key=lambda flow: (backward(flow), -flow[2])):
        a, b, height = Stage(source), Stage(target), count * scale
        (xa, ya), (xb, yb) = LAYOUT[a], LAYOUT[b]
        top_a = ya + sizes[a] * scale / 2 - out_offset[a]
        top_b = yb + sizes[b] * scale / 2 - in_offset[b]
        out_offset[a] += height
        in_offset[b] += height
        ax.add_patch(_ribbon(xa + 0.08, top_a, xb - 0.08, top_b, height, COLORS[a]))
        # A cubic curve reaches three quarters of the way to its control points.
        middle = (top_a + top_b - height) / 2 - 0.75 * _dip(xa, xb)
        ax.text((xa + xb) / 2, middle, str(count), ha="center", va="center", fontsize=8)
    for stage, (x, y) in LAYOUT.items():
        height = max(sizes[stage] * scale, 0.02)
        ax.add_patch(Rectangle((x - 0.08, y - height / 2), 0.16, height, color=COLORS[stage]))
        ax.text(
            x, y + height / 2 + 0.05, f"{stage.value}\n{sizes[stage]}", ha="center", va="bottom", fontsize=9
        )
    ax.set_xlim(-0.5, 6.5)
    ax.set_ylim(-2.1, 0.9)
    ax.axis("off")
    ax.set_title(f"Journey map, {report.period}: flows between stages (returns and new journeys loop below)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _dip(x_from: float, x_to: float) -> float:
    """How far below its ends a flow's band runs: backward flows (a resume, a new journey) loop underneath."""
    return 0.0 if x_to > x_from else 0.6 + 0.1 * (x_from - x_to)


def _ribbon(x0: float, top0: float, x1: float, top1: float, height: float, color: str) -> PathPatch:
    """A band `height` tall from (x0, top0) to (x1, top1), curved like a Sankey link."""
    dip = _dip(x0, x1)
    pull = max(abs(x1 - x0) / 2, 0.4)
    ends = (x0 + pull, x1 - pull)
    upper = [(x0, top0), (ends[0], top0 - dip), (ends[1], top1 - dip), (x1, top1)]
    lower = [
        (x1, top1 - height),
        (ends[1], top1 - height - dip),
        (ends[0], top0 - height - dip),
        (x0, top0 - height),
    ]
    codes = [
        CurvePath.MOVETO,
        *[CurvePath.CURVE4] * 3,
        CurvePath.LINETO,
        *[CurvePath.CURVE4] * 3,
        CurvePath.CLOSEPOLY,
    ]
    return PathPatch(CurvePath([*upper, *lower, (x0, top0)], codes), facecolor=color, alpha=0.45, lw=0)


def _sankey_figure(report: JourneyReport) -> go.Figure:
    sizes = _node_sizes(report)
    stages = list(LAYOUT)
    index = {stage.value: i for i, stage in enumerate(stages)}
    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [f"{stage.value} ({sizes[stage]})" for stage in stages],
                "color": [COLORS[stage] for stage in stages],
                # plotly wants positions strictly inside (0, 1).
                "x": [0.01 + 0.98 * LAYOUT[stage][0] / 6 for stage in stages],
                "y": [0.3 if LAYOUT[stage][1] == 0 else 0.85 for stage in stages],
                "pad": 20,
            },
            link={
                "source": [index[source] for source, _, _ in report.flows],
                "target": [index[target] for _, target, _ in report.flows],
                "value": [count for _, _, count in report.flows],
                "label": [f"{source} → {target}" for source, target, _ in report.flows],
            },
        )
    )
    figure.update_layout(title=f"Journey map, {report.period}: flows between stages", font_size=12)
    return figure
