"""Scripted dialogue tests (`shared/spec/dialogue-tests.md`): load YAML conversations, play them, report.

For merchants, testers and CI: a YAML file names a conversation step by step with what each turn must show.
Loading validates every file and reports each mistake as `FILE:LINE: what is wrong`; running plays every dialogue
in a fresh conversation on the assistant its `catalog` names and checks each expectation key exactly as the
spec's table says; the report and the JUnit file say which steps failed, with expected and actual values.

One step key extends the spec's format, for journeys that need time to pass: `idle_minutes: 45` on a step means
that the shopper was away that long before saying the step's `user` message. The runner moves the conversation's
recorded times that far into the past and runs the abandonment sweep on it, exactly as the server's periodic
sweep would find it; so a cart left longer than `abandon_after_minutes` is abandoned, and the step's message is
the shopper's return.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.pipeline import Assistant
from assistant.taxonomy import SLOT_NAMES, Intent, Stage
from journey.abandonment import AbandonmentSweep, let_time_pass

SUFFIXES = (".yml", ".yaml")
Log = Callable[[str], None]


class DialogueFileError(ValueError):
    """One or more dialogue files are malformed; `problems` holds one `FILE:LINE: what is wrong` each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- The format -------------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _names_in(value: list[str], allowed: Iterable[str], what: str) -> list[str]:
    allowed = list(allowed)
    for name in value:
        if name not in allowed:
            raise ValueError(f"unknown {what} {name!r}; {what}s are: {', '.join(allowed)}")
    return value


class ProductMatch(_Strict):
    """What every shown product must satisfy."""

    category: str | None = None
    brand: str | None = None
    color: str | None = None
    max_price: float | None = None
    min_price: float | None = None
    in_stock: bool | None = None


class ProductsExpectation(_Strict):
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    all_match: ProductMatch | None = None
    include_ids: list[str] | None = None


class CartExpectation(_Strict):
    lines: int | None = Field(default=None, ge=0)
    quantity: int | None = Field(default=None, ge=0)
    total_max: float | None = None
    total_min: float | None = None
    contains: list[str] | None = None


class Expectation(_Strict):
    intent: list[str] | None = None
    stage: list[str] | None = None
    slots: dict[str, Any] | None = None
    no_slots: list[str] | None = None
    products: ProductsExpectation | None = None
    cart: CartExpectation | None = None
    order: bool | None = None
    handoff: bool | None = None
    reply_contains: list[str] | None = None
    reply_not_contains: list[str] | None = None

    _lists = field_validator(
        "intent", "stage", "no_slots", "reply_contains", "reply_not_contains", mode="before"
    )(_as_list)

    @field_validator("intent")
    @classmethod
    def _known_intents(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _names_in(value, (i.value for i in Intent), "intent")

    @field_validator("stage")
    @classmethod
    def _known_stages(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _names_in(value, (s.value for s in Stage), "stage")

    @field_validator("no_slots")
    @classmethod
    def _known_slot_list(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _names_in(value, SLOT_NAMES, "slot")

    @field_validator("slots")
    @classmethod
    def _known_slot_names(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _names_in(list(value), SLOT_NAMES, "slot")
        return value


class Step(_Strict):
    user: str = Field(min_length=1)
    # Minutes the shopper was away before this step's message (see the module docstring); strict, so that
    # "45" or yes is reported rather than read as a number.
    idle_minutes: float | None = Field(default=None, gt=0, strict=True)
    expect: Expectation | None = None


class CatalogFile(_Strict):
    """A catalog file imported as with `catalog import`: its path (relative to the YAML), format and mapping."""

    file: str = Field(min_length=1)
    format: str | None = None
    map: dict[str, str] = Field(default_factory=dict)


class Dialogue(_Strict):
    name: str = Field(min_length=1)
    catalog: CatalogFile | None = None
    tags: list[str] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)

    _tags = field_validator("tags", mode="before")(_as_list)

    @field_validator("catalog", mode="before")
    @classmethod
    def _catalog(cls, value: Any) -> Any:
        """`default` or nothing → the default catalog; a string → a catalog file path."""
        if value is None or value == "default":
            return None
        if isinstance(value, str):
            return {"file": value}
        if isinstance(value, dict):
            return value
        raise ValueError("catalog must be 'default', a file path, or {file, format, map}")


@dataclass(frozen=True)
class DialogueScript:
    """A dialogue with where it came from: its file, its line and each step's line."""

    dialogue: Dialogue
    path: Path
    line: int
    step_lines: tuple[int, ...]

    @property
    def name(self) -> str:
        return self.dialogue.name

    def catalog_file(self) -> CatalogFile | None:
        """The dialogue's catalog with its path resolved against the YAML file's folder."""
        spec = self.dialogue.catalog
        if spec is None:
            return None
        return spec.model_copy(update={"file": str((self.path.parent / spec.file).resolve())})


# --- Loading ----------------------------------------------------------------------------------------------


def _duplicate_keys(node: yaml.Node, path: Path) -> list[str]:
    """PyYAML keeps the last of two equal keys silently; a dialogue file with one is a mistake."""
    problems = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                problems.append(f"{path}:{key.start_mark.line + 1}: duplicate key {key.value!r}")
            seen.add(key.value)
            problems += _duplicate_keys(value, path)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            problems += _duplicate_keys(item, path)
    return problems


def _locate(node: yaml.Node, loc: tuple) -> tuple[int, list[str]]:
    """The line of the deepest YAML node a pydantic error location reaches, and the location's readable parts.

    Parts that name no node (pydantic's union and validator tags, a missing key) are skipped for the line.
    """
    line, parts = node.start_mark.line + 1, []
    for part in loc:
        if isinstance(part, int) and isinstance(node, yaml.SequenceNode) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
            parts.append(str(part + 1) if parts and parts[-1] == "steps" else str(part))
        elif isinstance(part, str) and isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            parts.append(part)
            if match is None:
                continue
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(part, str) and not any(c in part for c in "[]-"):
            parts.append(part)
    return line, parts


def _describe(error: dict[str, Any], parts: list[str]) -> str:
    where = ".".join(parts)
    if error["type"] == "extra_forbidden":
        return f"unknown key {parts[-1]!r}" + (f" in {'.'.join(parts[:-1])}" if len(parts) > 1 else "")
    if error["type"] == "missing":
        return f"missing required key {where!r}"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "string_type" and isinstance(error.get("input"), bool):
        message += ' (YAML reads yes/no/on/off as true/false: quote the words, e.g. "no")'
    return f"{where}: {message}" if where else message


def load_file(path: Path) -> list[DialogueScript]:
    """The dialogue of one YAML file; raises DialogueFileError listing every mistake with its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DialogueFileError([f"{path}:1: cannot read the file: {error}"]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise DialogueFileError([f"{path}:{line}: invalid YAML: {error.problem or error.context}"]) from None
    except yaml.YAMLError as error:
        raise DialogueFileError([f"{path}:1: invalid YAML: {error}"]) from None
    if root is None:
        raise DialogueFileError([f"{path}:1: the file is empty; a dialogue needs a name and steps"])
    if not isinstance(root, yaml.MappingNode):
        raise DialogueFileError(
            [f"{path}:{root.start_mark.line + 1}: a dialogue file must be a mapping with name and steps"]
        )
    problems = _duplicate_keys(root, path)
    try:
        dialogue = Dialogue.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            line, parts = _locate(root, item["loc"])
            problems.append(f"{path}:{line}: {_describe(item, parts)}")
        raise DialogueFileError(problems) from None
    steps_node = next(v for k, v in root.value if k.value == "steps")
    script = DialogueScript(
        dialogue, path, root.start_mark.line + 1, tuple(n.start_mark.line + 1 for n in steps_node.value)
    )
    catalog = script.catalog_file()
    if catalog is not None and not Path(catalog.file).is_file():
        line = next(k.start_mark.line + 1 for k, _ in root.value if k.value == "catalog")
        problems.append(f"{path}:{line}: catalog file {catalog.file} does not exist")
    if problems:
        raise DialogueFileError(problems)
    return [script]


def dialogue_files(paths: Iterable[Path]) -> list[Path]:
    """The files the paths name: a directory gives its *.yml and *.yaml files, recursively, sorted."""
    files, problems = [], []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            if not found:
                problems.append(f"{path}: no *.yml or *.yaml dialogue files in this directory")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or directory")
    if problems:
        raise DialogueFileError(problems)
    return files


def load_dialogues(paths: Iterable[Path], tags: Iterable[str] = ()) -> list[DialogueScript]:
    """Every dialogue under the paths (with one of `tags`, when given); all mistakes are reported at once."""
    scripts, problems = [], []
    try:
        files = dialogue_files(paths)
    except DialogueFileError as error:
        files, problems = [], list(error.problems)
    for path in files:
        try:
            scripts += load_file(path)
        except DialogueFileError as error:
            problems += error.problems
    first: dict[str, DialogueScript] = {}
    for script in scripts:
        if script.name in first:
            problems.append(
                f"{script.path}:{script.line}: the dialogue name {script.name!r} is also used by "
                f"{first[script.name].path}"
            )
        first.setdefault(script.name, script)
    if problems:
        raise DialogueFileError(problems)
    wanted = set(tags)
    return [s for s in scripts if not wanted or wanted & set(s.dialogue.tags)]


# --- Checking one turn ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    key: str
    expected: Any
    actual: Any


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _normal(value: Any) -> Any:
    number = _number(value)
    if number is not None:
        return number
    return value.strip().lower() if isinstance(value, str) else value


def slot_equal(expected: Any, actual: Any) -> bool:
    """Numbers numerically, strings case-insensitively, lists as sets."""
    if isinstance(expected, list) or isinstance(actual, list):
        as_set = lambda v: {repr(_normal(x)) for x in (v if isinstance(v, list) else [v])}  # noqa: E731
        return as_set(expected) == as_set(actual)
    return _normal(expected) == _normal(actual)


def _product_facts(assistant: Assistant, shown: dict[str, Any]) -> dict[str, Any]:
    record = assistant.catalog.by_id.get(shown.get("id", ""))
    if record is not None:
        return {
            "id": record.id,
            "title": record.title,
            "category": record.category,
            "brand": record.brand,
            "color": record.color,
            "price": record.price,
            "in_stock": record.in_stock,
        }
    stock = shown.get("stock")
    return {**shown, "in_stock": stock is None or stock > 0}


def _violates(rule: str, wanted: Any, product: dict[str, Any]) -> bool:
    text = lambda key: str(product.get(key) or "").lower()  # noqa: E731
    if rule == "category":
        return wanted.lower() not in text("category") and wanted.lower() not in text("title")
    if rule == "brand":
        return text("brand") != wanted.lower()
    if rule == "color":
        return wanted.lower() not in text("color")
    if rule == "max_price":
        return product.get("price") is None or product["price"] > wanted
    if rule == "min_price":
        return product.get("price") is None or product["price"] < wanted
    return bool(product.get("in_stock")) != wanted


def _describe_product(product: dict[str, Any], rule: str) -> str:
    value = {"category": product.get("category"), "in_stock": product.get("in_stock")}.get(rule)
    if rule in ("max_price", "min_price"):
        value = product.get("price")
    elif rule in ("brand", "color"):
        value = product.get(rule)
    return f"{product.get('id')} {product.get('title')!r} ({rule}: {value})"


def check_turn(expect: Expectation | None, result: Any, assistant: Assistant) -> list[Failure]:
    """Every expectation of one step that the turn result does not meet."""
    if expect is None:
        return []
    failures: list[Failure] = []
    if expect.intent is not None and result.intent not in expect.intent:
        failures.append(Failure("intent", _one_or_list(expect.intent), result.intent))
    if expect.stage is not None and result.stage not in expect.stage:
        failures.append(Failure("stage", _one_or_list(expect.stage), result.stage))
    for name, wanted in (expect.slots or {}).items():
        if name not in result.slots:
            failures.append(Failure(f"slots.{name}", wanted, "(absent)"))
        elif not slot_equal(wanted, result.slots[name]):
            failures.append(Failure(f"slots.{name}", wanted, result.slots[name]))
    for name in expect.no_slots or []:
        if name in result.slots:
            failures.append(Failure(f"no_slots.{name}", "(absent)", result.slots[name]))
    if expect.products is not None:
        failures += _check_products(expect.products, result, assistant)
    if expect.cart is not None:
        failures += _check_cart(expect.cart, result)
    if expect.order is not None and (result.order is not None) != expect.order:
        actual = f"order {result.order.get('id')} placed" if result.order else "no order placed"
        failures.append(Failure("order", expect.order, actual))
    if expect.handoff is not None and bool(result.handoff) != expect.handoff:
        failures.append(Failure("handoff", expect.handoff, bool(result.handoff)))
    reply = result.reply.lower()
    for text in expect.reply_contains or []:
        if text.lower() not in reply:
            failures.append(Failure("reply_contains", text, "not in the reply"))
    for text in expect.reply_not_contains or []:
        if text.lower() in reply:
            failures.append(Failure("reply_not_contains", text, "in the reply"))
    return failures


def _one_or_list(values: list[str]) -> Any:
    return values[0] if len(values) == 1 else values


def _check_products(expect: ProductsExpectation, result: Any, assistant: Assistant) -> list[Failure]:
    failures, shown = [], result.products
    ids = [product.get("id") for product in shown]
    if expect.min is not None and len(shown) < expect.min:
        failures.append(Failure("products.min", f"at least {expect.min}", f"{len(shown)} shown"))
    if expect.max is not None and len(shown) > expect.max:
        failures.append(Failure("products.max", f"at most {expect.max}", f"{len(shown)} shown: {ids}"))
    if expect.all_match is not None:
        facts = [_product_facts(assistant, product) for product in shown]
        for rule, wanted in expect.all_match.model_dump(exclude_none=True).items():
            bad = [_describe_product(p, rule) for p in facts if _violates(rule, wanted, p)]
            if bad:
                failures.append(Failure(f"products.all_match.{rule}", wanted, "; ".join(bad)))
    missing = [pid for pid in expect.include_ids or [] if pid not in ids]
    if missing:
        failures.append(Failure("products.include_ids", missing, f"shown: {ids}"))
    return failures


def _check_cart(expect: CartExpectation, result: Any) -> list[Failure]:
    failures = []
    items = result.cart.get("items", [])
    total = float(result.cart.get("total", 0.0))
    lines, quantity = len(items), sum(int(item.get("quantity", 0)) for item in items)
    if expect.lines is not None and lines != expect.lines:
        failures.append(Failure("cart.lines", expect.lines, lines))
    if expect.quantity is not None and quantity != expect.quantity:
        failures.append(Failure("cart.quantity", expect.quantity, quantity))
    if expect.total_max is not None and total > expect.total_max:
        failures.append(Failure("cart.total_max", f"at most {expect.total_max}", total))
    if expect.total_min is not None and total < expect.total_min:
        failures.append(Failure("cart.total_min", f"at least {expect.total_min}", total))
    in_cart = [item.get("product_id") for item in items]
    missing = [pid for pid in expect.contains or [] if pid not in in_cart]
    if missing:
        failures.append(Failure("cart.contains", missing, f"cart: {in_cart}"))
    return failures


# --- Running ----------------------------------------------------------------------------------------------


@dataclass
class StepResult:
    number: int
    line: int
    user: str
    reply: str = ""
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None


@dataclass
class DialogueResult:
    script: DialogueScript
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None  # the dialogue could not start (its catalog failed to import)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and all(step.passed for step in self.steps)

    @property
    def not_run(self) -> int:
        return len(self.script.dialogue.steps) - len(self.steps)


class CatalogUnavailable(RuntimeError):
    """A dialogue's catalog file cannot be imported."""


def isolated_settings(base: Any) -> Any:
    """Settings for the default (embedded demo) catalog in a data directory of its own under the user's, so
    test conversations never reach the user's database or analytics; built once, reused by later runs."""
    settings = base.model_copy(update={"home": base.data_dir / "dialogue-tests", "db": None})
    # Starting from the user's models spares a retraining; an index of another catalog is updated incrementally.
    for source, target in (
        (base.intent_model_dir, settings.intent_model_dir),
        (base.index_dir, settings.index_dir),
    ):
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target)
    return settings


class AssistantPool:
    """The assistants a run needs: the default one, and one per catalog file spec, each built once.

    A catalog file is imported into its own temporary data directory, never into the user's database; the
    intent model of the default data directory is copied there when it exists, to spare a retraining.
    """

    def __init__(
        self,
        default: Callable[[], Assistant] | Assistant,
        settings: Any = None,
        default_catalog: CatalogFile | None = None,
        log: Log = lambda _message: None,
    ) -> None:
        self._default = default
        self._settings = settings
        self._default_catalog = default_catalog
        self._log = log
        self._built: dict[tuple, Assistant] = {}
        self._failed: dict[tuple, str] = {}
        self._tempdirs: list[tempfile.TemporaryDirectory] = []

    def default(self) -> Assistant:
        if not isinstance(self._default, Assistant):
            self._default = self._default()
        return self._default

    def for_script(self, script: DialogueScript) -> Assistant:
        spec = script.catalog_file() or self._default_catalog
        return self.default() if spec is None else self.for_catalog(spec)

    def for_catalog(self, spec: CatalogFile) -> Assistant:
        key = (spec.file, spec.format, tuple(sorted(spec.map.items())))
        if key in self._failed:
            raise CatalogUnavailable(self._failed[key])
        if key not in self._built:
            try:
                self._built[key] = self._build(spec)
            except CatalogUnavailable as error:
                self._failed[key] = str(error)
                raise
        return self._built[key]

    def _build(self, spec: CatalogFile) -> Assistant:
        from assistant.bootstrap import build_assistant, open_database
        from retrieval.importer import ImportFailed, parse_mapping, read_catalog, upsert_products

        base = self._settings or self.default().settings
        try:
            mapping = parse_mapping([f"{field_}={column}" for field_, column in spec.map.items()])
            report = read_catalog(Path(spec.file), spec.format, mapping, base.currency)
        except ImportFailed as error:
            raise CatalogUnavailable(f"catalog {spec.file}: {error}") from None
        if not report.records:
            raise CatalogUnavailable(f"catalog {spec.file}: no valid product rows")
        for row_error in report.errors:
            self._log(f"catalog {spec.file}: skipped {row_error}")
        home = tempfile.TemporaryDirectory(prefix="shopassist-dialogues-")
        self._tempdirs.append(home)
        settings = base.model_copy(update={"home": Path(home.name), "db": None})
        if base.intent_model_dir.is_dir():
            shutil.copytree(base.intent_model_dir, settings.intent_model_dir)
        self._log(f"Importing {spec.file} into a temporary data directory for the dialogues…")
        database = open_database(settings, self._log, demo_catalog=False)
        with database.transaction() as session:
            upsert_products(session, report)
        return build_assistant(settings, self._log)

    def close(self) -> None:
        for assistant in self._built.values():
            dispose = getattr(assistant.db, "dispose", None)
            if callable(dispose):
                dispose()
        for home in self._tempdirs:
            home.cleanup()
        self._built.clear()
        self._tempdirs.clear()


def run_dialogue(script: DialogueScript, pool: AssistantPool) -> DialogueResult:
    """Plays one dialogue in a fresh conversation; stops at the first failing step (later ones depend on it)."""
    started = time.perf_counter()
    result = DialogueResult(script)
    try:
        assistant = pool.for_script(script)
        conversation_id, _token = assistant.start_conversation()
    except CatalogUnavailable as error:
        result.error = str(error)
        return result
    for number, (step, line) in enumerate(zip(script.dialogue.steps, script.step_lines, strict=True), 1):
        outcome = StepResult(number, line, step.user)
        result.steps.append(outcome)
        try:
            if step.idle_minutes is not None:
                pass_idle_time(assistant, conversation_id, step.idle_minutes)
            turn = assistant.handle(conversation_id, step.user)
        except Exception as error:  # a dialogue reports what the assistant raised, like a failed expectation
            outcome.error = f"{type(error).__name__}: {error}"
            break
        outcome.reply = turn.reply
        outcome.failures = check_turn(step.expect, turn, assistant)
        if outcome.failures:
            break
    result.seconds = time.perf_counter() - started
    return result


def pass_idle_time(assistant: Assistant, conversation_id: str, minutes: float) -> None:
    """The shopper was away `minutes`: the conversation ages by that much, then the server's sweep runs on it.

    The sweep is limited to this conversation: a run on the user's database leaves their conversations alone.
    """
    let_time_pass(assistant.db, conversation_id, minutes)
    sweep = AbandonmentSweep(assistant.db, assistant.settings.abandon_after_minutes, assistant.record.stages)
    sweep.run(conversation_ids=[conversation_id])


def run_dialogues(
    scripts: Iterable[DialogueScript], pool: AssistantPool, progress: Log | None = None
) -> list[DialogueResult]:
    results = []
    for script in scripts:
        results.append(run_dialogue(script, pool))
        if progress:
            progress(f"{'ok  ' if results[-1].passed else 'FAIL'} {script.path}: {script.name}")
    return results


# --- Reporting --------------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)


def describe_failure(result: DialogueResult) -> str:
    """What went wrong in one dialogue: file, step, the shopper's words, each failed expectation, the reply."""
    script = result.script
    lines = [f"FAIL {script.path}:{script.line}: {script.name}"]
    if result.error:
        lines.append(f"  {result.error}")
        return "\n".join(lines)
    for step in result.steps:
        if step.passed:
            continue
        lines.append(f"  step {step.number} ({script.path}:{step.line}), shopper: {step.user!r}")
        if step.error:
            lines.append(f"    raised {step.error}")
        for failure in step.failures:
            lines.append(
                f"    {failure.key}: expected {_show(failure.expected)}, actual {_show(failure.actual)}"
            )
        if step.reply:
            reply = step.reply.replace("\n", "\n           ")
            lines.append(f"    reply: {reply}")
    if result.not_run:
        lines.append(f"  ({result.not_run} later step{'s' if result.not_run > 1 else ''} not run)")
    return "\n".join(lines)


def summary(results: list[DialogueResult]) -> str:
    passed = sum(result.passed for result in results)
    return f"{passed} passed, {len(results) - passed} failed"


def report(results: list[DialogueResult]) -> str:
    """Every failing dialogue's description, then the line `N passed, M failed`."""
    parts = [describe_failure(result) for result in results if not result.passed]
    return "\n\n".join([*parts, summary(results)])


def write_junit(results: list[DialogueResult], path: Path) -> None:
    """A JUnit XML file for CI: one testcase per dialogue, the failure's details in its message and text."""
    failed = sum(not result.passed for result in results)
    seconds = sum(result.seconds for result in results)
    suites = ET.Element("testsuites", tests=str(len(results)), failures=str(failed), time=f"{seconds:.3f}")
    suite = ET.SubElement(
        suites, "testsuite", name="dialogues", tests=str(len(results)), failures=str(failed), errors="0",
        skipped="0", time=f"{seconds:.3f}",
    )  # fmt: skip
    for result in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=result.script.path.with_suffix("").as_posix().replace("/", "."),
            name=result.script.name,
            file=str(result.script.path),
            line=str(result.script.line),
            time=f"{result.seconds:.3f}",
        )
        if not result.passed:
            details = describe_failure(result)
            message = " ".join(line.strip() for line in details.splitlines()[1:3]) or details
            failure = ET.SubElement(case, "failure", message=message, type="DialogueFailure")
            failure.text = details
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
