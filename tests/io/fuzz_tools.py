"""Damaged copies of real data files, and an independent count of what each copy holds.

The damage is applied in three layers, each chosen by the caller (the fuzz strategies):

1. on the CSV table (header + data lines): drop, duplicate or shuffle data lines, stray quotes, blank
   lines, deleted / renamed / duplicated columns, blank, absurd, negative or non-numeric cells, cells
   with another plausible value (a corrected release), a file cut to its header or to nothing;
2. on the encoded bytes: encoding (UTF-8, UTF-8 with BOM, GBK, double-encoded UTF-8 mojibake), CRLF
   line ends, a cut at a byte, flipped bytes;
3. on the container: gzip, a truncated gzip stream, bytes after the gzip stream, a flipped
   compressed byte.

The count (:func:`count_units`) does not use lantian: it decompresses with :mod:`zlib` and counts the
non-blank lines of the bytes, which is what the national-platform and wide generic layouts call a row
(one line = one accounting unit; whichever line ends up as the header is not a row).
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import zlib
from dataclasses import dataclass, field

#: Table-level damage operations.
TABLE_OPS = (
    "drop_lines",
    "duplicate_lines",
    "shuffle_lines",
    "stray_quote",
    "blank_lines",
    "delete_column",
    "rename_column",
    "duplicate_column",
    "blank_cells",
    "absurd_cells",
    "negative_cells",
    "text_cells",
    "revise_cells",
    "header_only",
    "empty",
)
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "mojibake")
BYTE_OPS = ("crlf", "truncate", "flip_bytes")
CONTAINERS = ("plain", "gzip", "gzip_truncated", "gzip_trailing", "gzip_flipped")

ABSURD = ("99999", "1e30", "123456789", "10001")
NEGATIVE = ("-1", "-0.5", "-999")
TEXT = ("abc", "12..3", "inf", "-inf", "1,5", "１２", "∞", "0x10", "五", "'", "1e", "--3")
RENAMES = ("时间", "PM2.5浓度", "x", "", " stationcode ", "pm2_5 ", "PM10", "o3-8h")


@dataclass
class Damaged:
    """A damaged copy: its bytes, the operations applied (for failure messages)."""

    data: bytes
    ops: list[str] = field(default_factory=list)


def split_table(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [r for r in rows[1:] if r]


def _join(header: list[str] | None, rows: list[list[str]]) -> list[str]:
    """CSV lines (no line ends) of a header and rows."""
    out = []
    for r in ([header] if header is not None else []) + rows:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(r)
        out.append(buf.getvalue())
    return out


def damage_table(header: list[str], rows: list[list[str]], ops: list[str], rng: random.Random) -> list[str]:
    """Apply the table-level ``ops`` in order; returns the text lines (header first)."""
    header = list(header)
    rows = [list(r) for r in rows]
    value_cols = [i for i, h in enumerate(header) if h not in ("timepoint", "stationcode", "time", "station")]
    lines_ops = []
    for op in ops:
        n = max(1, len(rows) // 20)
        if op == "drop_lines" and rows:
            for _ in range(rng.randint(1, n)):
                rows.pop(rng.randrange(len(rows)))
        elif op == "duplicate_lines" and rows:
            for _ in range(rng.randint(1, n)):
                rows.insert(rng.randrange(len(rows) + 1), list(rng.choice(rows)))
        elif op == "shuffle_lines":
            rng.shuffle(rows)
        elif op == "delete_column" and len(header) > 2:
            i = rng.randrange(len(header))
            header.pop(i)
            for r in rows:
                if i < len(r):
                    r.pop(i)
        elif op == "rename_column" and header:
            header[rng.randrange(len(header))] = rng.choice(RENAMES)
        elif op == "duplicate_column" and header:
            i = rng.randrange(len(header))
            header.append(header[i])
            for r in rows:
                r.append(r[i] if i < len(r) else "")
        elif op in ("blank_cells", "absurd_cells", "negative_cells", "text_cells") and rows:
            pool = {"blank_cells": ("", "NA", "/"), "absurd_cells": ABSURD, "negative_cells": NEGATIVE}.get(
                op, TEXT
            )
            cols = [i for i in value_cols if i < len(header)] or list(range(len(header)))
            for _ in range(rng.randint(1, n)):
                r = rng.choice(rows)
                c = rng.choice(cols)
                if c < len(r):
                    r[c] = rng.choice(pool)
        elif op == "revise_cells" and rows:
            cols = [i for i in value_cols if i < len(header)]
            for _ in range(rng.randint(1, n)):
                r = rng.choice(rows)
                c = rng.choice(cols) if cols else 0
                try:
                    r[c] = f"{float(r[c]) + rng.randint(1, 9):g}"
                except (ValueError, IndexError):
                    continue
        elif op == "header_only":
            rows = []
        elif op == "empty":
            return []
        elif op in ("stray_quote", "blank_lines"):
            lines_ops.append(op)
    lines = _join(header, rows)
    for op in lines_ops:
        for _ in range(rng.randint(1, max(1, len(lines) // 30))):
            if op == "stray_quote" and len(lines) > 1:
                k = rng.randrange(1, len(lines))
                at = rng.randrange(len(lines[k]) + 1)
                lines[k] = lines[k][:at] + '"' + lines[k][at:]
            elif op == "blank_lines":
                lines.insert(rng.randrange(1, len(lines) + 1), rng.choice(("", "  ", ",,,", "\t")))
    return lines


def encode(lines: list[str], encoding: str, crlf: bool) -> bytes:
    end = "\r\n" if crlf else "\n"
    text = "".join(line + end for line in lines)
    if encoding == "mojibake":  # UTF-8 bytes read as Latin-1 and written again as UTF-8
        return text.encode("utf-8").decode("latin-1").encode("utf-8")
    if encoding == "gbk":
        return text.encode("gbk", errors="replace")
    return text.encode(encoding)


def damage_bytes(data: bytes, ops: list[str], rng: random.Random) -> bytes:
    out = bytearray(data)
    for op in ops:
        if op == "truncate" and out:
            del out[rng.randrange(len(out)) :]
        elif op == "flip_bytes" and out:
            for _ in range(rng.randint(1, 8)):
                out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def contain(data: bytes, container: str, rng: random.Random) -> bytes:
    if container == "plain":
        return data
    packed = bytearray(gzip.compress(data, mtime=0))
    if container == "gzip_truncated":
        return bytes(packed[: rng.randrange(len(packed))])
    if container == "gzip_trailing":
        garbage = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        if garbage[:2] == b"\x1f\x8b" or garbage[:1] == b"\x1f" and len(garbage) == 1:
            garbage = b"X" + garbage
        return bytes(packed) + garbage
    if container == "gzip_flipped":
        i = rng.randrange(10, len(packed))  # past the fixed header: deflate data or the trailer
        packed[i] ^= 1 << rng.randrange(8)
        return bytes(packed)
    return bytes(packed)


def make(
    text: str,
    table_ops: list[str],
    encoding: str,
    byte_ops: list[str],
    container: str,
    seed: int,
) -> Damaged:
    """A damaged copy of the CSV ``text`` (a real file's content)."""
    rng = random.Random(seed)
    header, rows = split_table(text)
    lines = damage_table(header, rows, table_ops, rng)
    data = encode(lines, encoding, "crlf" in byte_ops)
    data = damage_bytes(data, [op for op in byte_ops if op != "crlf"], rng)
    data = contain(data, container, rng)
    return Damaged(data, [*table_ops, encoding, *byte_ops, container, f"seed={seed}"])


# -- the independent count ---------------------------------------------------------------------------


@dataclass
class Units:
    """What a file holds, counted without lantian.

    ``lines``: non-blank lines of the readable text; ``unread``: 1 when a damaged gzip stream leaves a
    rest that cannot be read (one accounting unit), else 0; ``corrupt``: the deflate data is invalid
    (the whole file is refused).
    """

    lines: int
    unread: int
    corrupt: bool


def inflate(data: bytes) -> tuple[bytes, int, bool]:
    """(complete-line text bytes, unread units, corrupt) of possibly gzipped ``data``."""
    if data[:2] != b"\x1f\x8b":
        return data, 0, False
    out = b""
    rest = data
    while True:
        d = zlib.decompressobj(wbits=31)
        try:
            out += d.decompress(rest)
        except zlib.error:
            return b"", 0, True
        if not d.eof:  # the stream ends early: only complete lines are read
            return out[: out.rfind(b"\n") + 1], 1, False
        rest = d.unused_data
        if not rest:
            return out, 0, False
        if rest[:2] != b"\x1f\x8b":
            return out, 1, False


def count_units(data: bytes) -> Units:
    text, unread, corrupt = inflate(data)
    if corrupt:
        return Units(0, 0, True)
    if text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]
    parts = text.split(b"\n")
    while parts and parts[-1] in (b"", b"\x1a"):
        parts.pop()
    lines = 0
    for p in parts:
        for enc in ("utf-8", "gb18030"):
            try:
                s = p.decode(enc)
            except UnicodeDecodeError:
                continue
            lines += bool(s.strip())
            break
        else:
            lines += 1  # undecodable bytes: never blank
    return Units(lines, unread, False)
