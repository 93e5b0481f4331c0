"""The dialogue-test format (docs/dialogue-tests.md): YAML conversations, validated as they load.

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

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import DialogueFileError
from core.taxonomy import SLOT_NAMES, Intent, Stage

SUFFIXES = (".yml", ".yaml")


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
    # The shown products are in this order (ties in any order); products without a rating count as 0.
    sorted_by: Literal["price_asc", "price_desc", "rating_desc"] | None = None


class CartItem(_Strict):
    """One line of the cart: its product, by id or by a part of its title, and how many units."""

    id: str | None = None
    title: str | None = None
    quantity: int = Field(default=1, ge=1)
    # An extension: the variant the line holds (docs/store-data.md), by its id.
    variant: str | None = None

    @model_validator(mode="after")
    def _names_one_product(self) -> CartItem:
        if (self.id is None) == (self.title is None):
            raise ValueError("a cart item names its product by either id or title")
        return self


class CartExpectation(_Strict):
    lines: int | None = Field(default=None, ge=0)
    quantity: int | None = Field(default=None, ge=0)
    total_max: float | None = None
    total_min: float | None = None
    contains: list[str] | None = None
    # The cart holds exactly these lines, each with its quantity, in any order.
    items: list[CartItem] | None = None


class OrderExpectation(_Strict):
    """The conversation's latest order as stored after the turn (read from the database, not the reply), or with
    `id` the store's order of that number."""

    id: str | None = None
    status: str | None = None
    total: float | None = None
    lines: int | None = Field(default=None, ge=0)
    # What its refund payment lines add up to, and the variants its lines now are (in any order).
    refunded: float | None = Field(default=None, ge=0)
    variants: list[str] | None = None
    # The turn placed it (what `order: true` checks).
    placed_in_this_turn: bool | None = None


class Expectation(_Strict):
    intent: list[str] | None = None
    stage: list[str] | None = None
    slots: dict[str, Any] | None = None
    no_slots: list[str] | None = None
    products: ProductsExpectation | None = None
    cart: CartExpectation | None = None
    # true/false: the turn placed an order or not; an object: what the stored order is after the turn.
    order: bool | OrderExpectation | None = None
    # true: the turn asked a clarifying question instead of acting (a reason names which question); false: it acted.
    clarifies: (
        bool
        | Literal[
            "low_confidence",
            "which_product",
            "which_cart_item",
            "nothing_to_confirm",
            "one_to_compare",
            "need_open",
            "need_interest",
        ]
        | None
    ) = None
    handoff: bool | None = None
    reply_contains: list[str] | None = None
    reply_not_contains: list[str] | None = None
    # An extension of the spec's format: what the quick replies (`suggestions`) offer, each a part of one chip.
    suggestions_contain: list[str] | None = None
    # An extension: the balances of the known shopper's gift cards after the turn, by payment method id.
    gift_cards: dict[str, float] | None = None
    suggestions_not_contain: list[str] | None = None

    _lists = field_validator(
        "intent",
        "stage",
        "no_slots",
        "reply_contains",
        "reply_not_contains",
        "suggestions_contain",
        "suggestions_not_contain",
        mode="before",
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
    # Extensions: the store's shoppers and orders (docs/store-data.md), imported again before the dialogue so
    # that it starts from them as written, and the known shopper the conversation starts as (as a signed
    # shopper token from the store's site would make it).
    shoppers: str | None = None
    orders: str | None = None
    shopper: str | None = Field(default=None, min_length=1)
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

    def store_files(self) -> tuple[Path | None, Path | None]:
        """The dialogue's shoppers and orders files, resolved against the YAML file's folder."""
        given = (self.dialogue.shoppers, self.dialogue.orders)
        return tuple(None if name is None else (self.path.parent / name).resolve() for name in given)

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
