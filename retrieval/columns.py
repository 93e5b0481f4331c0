"""A store export's columns found by what they mean, whichever spelling and letter case its header uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class Columns:
    """`aliases` names each meaning's spellings, in order of preference; a meaning without aliases is its own."""

    def __init__(self, header: Iterable[str | None], aliases: Mapping[str, tuple[str, ...]]) -> None:
        self._names = {name.strip().lower(): name for name in header if name}
        self._aliases = aliases

    def has(self, key: str) -> bool:
        return any(alias in self._names for alias in self._aliases.get(key, (key,)))

    def value(self, row: Mapping[str, str | None], key: str) -> str:
        for alias in self._aliases.get(key, (key,)):
            name = self._names.get(alias)
            if name is not None and row.get(name):
                return row[name].strip()
        return ""
