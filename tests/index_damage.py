"""Ways an index directory gets damaged on disk, for the robustness tests.

Each function takes the index root (``SEARCH_INDEX_DIR``) and damages the live generation the
way a full disk, a crash or a careless operator would.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

POINTER = "CURRENT"


def live_generation(root: Path) -> Path:
    """The generation directory ``CURRENT`` names."""
    return root / (root / POINTER).read_text(encoding="utf-8").strip()


def _segment(root: Path) -> Path:
    return max(live_generation(root).glob("*.seg"), key=lambda path: path.stat().st_size)


def truncate_segment(root: Path) -> None:
    """Cut the segment file in half (a disk that filled up during a copy)."""
    segment = _segment(root)
    data = segment.read_bytes()
    segment.write_bytes(data[: len(data) // 2])


def zero_segment(root: Path) -> None:
    """Overwrite the segment file with zeros, keeping its length."""
    segment = _segment(root)
    segment.write_bytes(bytes(segment.stat().st_size))


def garbage_toc(root: Path) -> None:
    """Replace the table of contents with bytes that are not one."""
    for toc in live_generation(root).glob("*.toc"):
        toc.write_bytes(b"this is not a table of contents\x00\xff" * 8)


def garbage_vocabulary(root: Path) -> None:
    """Replace the spelling vocabulary with text that is not JSON."""
    (live_generation(root) / "vocabulary.json").write_text("{not json", encoding="utf-8")


def garbage_pointer(root: Path) -> None:
    """Make ``CURRENT`` name nothing sensible."""
    (root / POINTER).write_text("../../etc/passwd\n", encoding="utf-8")


def delete_generation(root: Path) -> None:
    """Remove the live generation, leaving ``CURRENT`` naming a missing directory."""
    shutil.rmtree(live_generation(root))


def delete_index(root: Path) -> None:
    """Remove the whole index directory."""
    shutil.rmtree(root)


def stray_files(root: Path) -> None:
    """Leave the litter of crashed runs: a half-written pointer, junk and a fake generation."""
    (root / f".{POINTER}.999.123").write_text("gen-", encoding="utf-8")
    (root / "notes.txt").write_text("someone was here", encoding="utf-8")
    (root / "gen-00000000000000000001-1").write_text("not a directory", encoding="utf-8")
    (root / "gen-00000000000000000002-1").mkdir()


# Damage that makes reading the index fail (the index is there but broken).
READ_DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated segment": truncate_segment,
    "zeroed segment": zero_segment,
    "garbage toc": garbage_toc,
    "garbage pointer": garbage_pointer,
}

# Every state ``reindex`` must repair.
ANY_DAMAGE: dict[str, Callable[[Path], None]] = {
    **READ_DAMAGE,
    "garbage vocabulary": garbage_vocabulary,
    "deleted generation": delete_generation,
    "deleted index": delete_index,
    "stray files": stray_files,
}


def generations(root: Path) -> list[str]:
    """Names of the generation entries in the index directory."""
    return sorted(p.name for p in root.iterdir() if p.name.startswith("gen-"))
