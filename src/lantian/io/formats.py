"""Format recognition from content (header sniffing) and dispatch to the readers."""

from __future__ import annotations

from pathlib import Path

from lantian.errors import InputError
from lantian.io import _text, aqistudy, cnemc, generic, mirror, prsa

FORMATS = ("auto", "cnemc", "mirror", "prsa", "aqistudy", "generic")


def detect(path: str | Path, mapping: dict[str, str] | None = None) -> str | None:
    """The format of a file from its first line: cnemc, mirror, prsa, aqistudy, generic, or None."""
    path = Path(path)
    if _text.read_bytes(path)[:4] == b"PAR1":
        return "generic"
    line = _text.first_line(path)
    if not line:
        return None
    fields = [f.strip().strip('"') for f in line.split(",")]
    if cnemc.is_cnemc(fields):
        return "cnemc"
    if mirror.is_mirror(fields):
        return "mirror"
    if prsa.is_prsa(fields):
        return "prsa"
    if aqistudy.sniff(line):
        return "aqistudy"
    if generic.is_generic(fields, mapping):
        return "generic"
    return None


def parse(path: str | Path, fmt: str = "auto", mapping: dict[str, str] | None = None) -> _text.Parsed:
    """Read a file with its reader; ``fmt="auto"`` recognises the format from the content."""
    path = Path(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    kind = detect(path, mapping) if fmt == "auto" else fmt
    if kind == "cnemc":
        return cnemc.parse_cnemc(path)
    if kind == "mirror":
        return mirror.parse_mirror(path)
    if kind == "prsa":
        return prsa.parse_prsa(path)
    if kind == "aqistudy":
        return aqistudy.parse_aqistudy(path)
    if kind == "generic":
        return generic.parse_generic(path, mapping)
    raise InputError(f"{path}: format not recognised from its first line; give --format")
