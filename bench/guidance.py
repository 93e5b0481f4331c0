"""Benchmark: does guidance move simulated shoppers to a placed order? The same personas and seeds, guidance on
and off, each arm in a fresh data directory.

For each seed, `harness/simulation/simulator.py` runs the same shoppers twice against the real assistant: once with
guidance (`SHOPASSIST_GUIDANCE=true`, the default) and once without. Shoppers react only to what a reply asks or
offers (`harness/simulation/reactions.py`), so the difference is what guidance's questions and offers are worth — given the
personas' odds of taking them, which are assumptions (`journey/personas.TEMPERS`), not measurements.

Prints per seed and persona the orders, the shoppers and the order rate (orders / shoppers) of both arms, and the
nudges shown and accepted with guidance on; writes the figures as JSON (bench/results/guidance.json).

    .venv/bin/python -m bench.guidance [--shoppers 300] [--seeds 1 2 3] [--keep DIR]

Each arm's directory is a copy of one prepared directory (the demo catalog, the product index and the intent
model, copied from `.cache/intent-model` when there) with an empty journey log; `--keep DIR` leaves them in DIR
as `seed-S-on` / `seed-S-off`, for `shopassist journey report --data-dir DIR/seed-1-on`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from assistant.bootstrap import build_assistant
from core.settings import Settings
from harness.server_process import data_dir_with
from harness.simulation.personas import PERSONAS
from harness.simulation.simulator import SimulationSummary, Simulator
from journey.analytics import JourneyAnalytics

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results"
INTENT_MODEL_CACHE = ROOT / ".cache" / "intent-model"


def quiet(_message: str) -> None:
    """Building a prepared directory has nothing to say."""


def prepare(base: Path) -> None:
    """A data directory with the catalog, the index and the intent model, and no conversations."""
    if INTENT_MODEL_CACHE.is_dir() and not (base / "intent-model").exists():
        data_dir_with(base, INTENT_MODEL_CACHE)
    build_assistant(Settings(home=base))  # builds what is missing, saying so on stderr


def run_arm(base: Path, home: Path, seed: int, shoppers: int, guidance: bool) -> dict:
    shutil.copytree(base, home)
    assistant = build_assistant(Settings(home=home, guidance=guidance), log=quiet)
    summary = Simulator(assistant, seed=seed).run(shoppers)
    nudges = JourneyAnalytics(assistant.db).run().nudges
    return {"personas": per_persona(summary), "seconds": round(summary.seconds, 1), "nudges": nudges}


def per_persona(summary: SimulationSummary) -> dict[str, dict]:
    rows = {}
    for persona in [*PERSONAS, "all"]:
        runs = [run for run in summary.runs if persona in ("all", run.persona)]
        orders = sum(len(run.orders) for run in runs)
        rows[persona] = {
            "shoppers": len(runs),
            "orders": orders,
            "order_rate": round(orders / len(runs), 3) if runs else None,
        }
    return rows


def table(seed: int, on: dict, off: dict) -> str:
    lines = [
        f"seed {seed}: orders / shoppers (order rate)",
        f"  {'persona':<20}{'guidance on':>22}{'guidance off':>22}",
    ]
    for persona, row in on["personas"].items():
        other = off["personas"][persona]
        lines.append(
            f"  {persona:<20}"
            f"{row['orders']:>7} / {row['shoppers']:<4}({row['order_rate']:.3f})"
            f"{other['orders']:>7} / {other['shoppers']:<4}({other['order_rate']:.3f})"
        )
    shown = {kind: counts.get("shown", 0) for kind, counts in on["nudges"].items()}
    accepted = {kind: counts.get("accepted", 0) for kind, counts in on["nudges"].items()}
    lines.append(f"  nudges shown (on): {shown}")
    lines.append(f"  nudges accepted (on): {accepted}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--keep", type=Path, default=None, help="Leave each arm's data directory here.")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="shopassist-guidance-"))
    root.mkdir(parents=True, exist_ok=True)
    base = root / "prepared"
    prepare(base)

    figures: dict = {"shoppers": args.shoppers, "seeds": {}}
    for seed in args.seeds:
        arms = {}
        for name, guidance in (("on", True), ("off", False)):
            home = root / f"seed-{seed}-{name}"
            shutil.rmtree(home, ignore_errors=True)
            started = time.perf_counter()
            arms[name] = run_arm(base, home, seed, args.shoppers, guidance)
            print(f"seed {seed}, guidance {name}: {time.perf_counter() - started:.0f}s", flush=True)
        figures["seeds"][seed] = arms
        print(table(seed, arms["on"], arms["off"]), flush=True)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "guidance.json").write_text(json.dumps(figures, indent=2))

    totals = {
        name: sum(arms[name]["personas"]["all"]["orders"] for arms in figures["seeds"].values())
        for name in ("on", "off")
    }
    shoppers = args.shoppers * len(args.seeds)
    print(
        f"all seeds: guidance on {totals['on']} / {shoppers} ({totals['on'] / shoppers:.3f}), "
        f"off {totals['off']} / {shoppers} ({totals['off'] / shoppers:.3f})"
    )
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
