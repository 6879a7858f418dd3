"""Shared low-level reading: bytes → text lines → fields, keeping every line that cannot be read.

Every reader starts from :func:`read_table`. A line is never dropped: it ends up either as a row of
fields with the header's column count or as a *reject* ``(line number, raw text, reason)``. A header
line that cannot be read (undecodable bytes, NUL bytes, an unclosed quote) refuses the whole file
(:class:`~lantian.errors.InputError`): taking the next line as the header would lose that data row.
Encodings: UTF-8 (with or without BOM), then GB18030 (a superset of GBK); gzip is opened by its magic
bytes, every member decompressed. A damaged gzip file is accounted, never read short in silence: the
complete lines of a truncated stream are read and the rest becomes one reject, as do bytes after the
last member; a corrupt deflate stream refuses the file (:class:`Payload`). When a file mixes encodings, the majority decides and the other lines are rejected as
undecodable.
"""

from __future__ import annotations

import contextvars
import csv
import functools
import itertools
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lantian.errors import InputError
from lantian.io import limits

#: Markers of a missing value in the text formats.
MISSING = ("", "NA", "N/A", "NaN", "nan", "—", "-", "--", "null", "NULL", "None")
#: Marker of a pollutant outside a station's monitoring plan (national platform, 2026 layout).
NOT_MONITORED = "/"

REJECT_SCHEMA = {"line": pl.Int64(), "raw": pl.String(), "reason": pl.String()}


class RawTable:
    """Fields of a delimited text file: ``rows`` all have ``len(header)`` fields.

    The fields are held either as Python lists (``rows``) or, for a file read in one pass by Polars,
    as an all-string frame (``fields``, one column per header name); each form is derived from the other
    on demand.
    """

    def __init__(
        self,
        header: list[str],
        rows: list[list[str]] | None = None,
        lines: list[int] | None = None,
        rejects: list[tuple[int, str, str]] | None = None,
        encoding: str = "utf-8",
        fields: pl.DataFrame | None = None,
        texts: list[str] | None = None,
    ):
        self.header = header
        self._rows = rows if rows is not None or fields is not None else []
        self.lines = lines if lines is not None else []
        self.rejects = rejects if rejects is not None else []
        self.encoding = encoding
        self._fields = fields
        self._texts = texts  # the lines of ``fields``

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            self._rows = [list(r) for r in self._fields.iter_rows()]
        return self._rows

    def frame(self, names: list[str] | None = None) -> pl.DataFrame:
        """All-string frame of the good rows with a ``_line`` column (1-based line number)."""
        names = names or self.header
        line = pl.Series("_line", self.lines, dtype=pl.Int64)
        if self._rows is None:  # a repeated name keeps its last column, in the place of its first
            picked: dict = {"_line": line}
            for name, column in zip(names, self._fields.columns, strict=True):
                picked[name] = pl.col(column).alias(name)
            return self._fields.select(list(picked.values()))
        cols = list(zip(*self._rows, strict=True)) if self._rows else [() for _ in names]
        data = {n: pl.Series(n, list(c), dtype=pl.String) for n, c in zip(names, cols, strict=True)}
        return pl.DataFrame({"_line": line, **data})

    def joined(self) -> pl.Series:
        """Each row's fields joined by commas (``_raw``, as :func:`raw_text` of every column makes it)."""
        if self._rows is None:  # a line without a quote is its fields joined; a quoted one is split first
            texts = [t if '"' not in t else ",".join(next(csv.reader([t]))) for t in self._texts]
        else:
            texts = [",".join(r) for r in self._rows]
        return pl.Series("_raw", texts, dtype=pl.String)

    def rejects_frame(self) -> pl.DataFrame:
        return rejects_frame(self.rejects)


def rejects_frame(rejects: list[tuple[int, str, str]]) -> pl.DataFrame:
    if not rejects:
        return pl.DataFrame(schema=REJECT_SCHEMA)
    line, raw, reason = zip(*rejects, strict=True)
    return pl.DataFrame({"line": list(line), "raw": list(raw), "reason": list(reason)}, schema=REJECT_SCHEMA)


#: How the reason given to the unread part of a damaged gzip file begins.
GZIP_REASON = "gzip "
_GZIP_MAGIC = b"\x1f\x8b"
_INFLATE_CHUNK = 16384


@dataclass
class Payload:
    """The bytes of a file after decompression, and what could not be read of it.

    ``problem`` is ``None`` for a complete file, else ``"truncated"`` (the gzip stream ends early),
    ``"trailing"`` (bytes after the last gzip member) or ``"corrupt"`` (invalid deflate data or a failed
    checksum: what decompressed cannot be trusted). ``data`` holds the complete lines read (for a
    truncated or corrupt stream the last partial line is moved to ``tail``); ``unread`` is the number
    of compressed bytes not read; ``message`` says what went wrong and what to do.
    """

    data: bytes
    problem: str | None = None
    tail: bytes = b""
    unread: int = 0
    message: str = ""

    def reject(self) -> tuple[int, str, str] | None:
        """The accounting unit of the unread rest: (line number, raw text, reason), or None."""
        if self.problem is None:
            return None
        lines = self.data.count(b"\n") + (0 if not self.data or self.data.endswith(b"\n") else 1)
        preview = self.tail[:200].decode("utf-8", "backslashreplace")
        return lines + 1, preview, self.message


def _gunzip(raw: bytes) -> Payload:
    """Decompress every gzip member, keeping what decompresses when the stream is damaged."""
    out: list[bytes] = []
    pos = size = 0
    lim = limits.in_force()
    while True:
        inflater = zlib.decompressobj(wbits=31)
        start = pos
        try:
            while pos < len(raw) and not inflater.eof:
                out.append(inflater.decompress(raw[pos : pos + _INFLATE_CHUNK]))
                pos += _INFLATE_CHUNK
                size += len(out[-1])
                if size > lim.max_decompressed_bytes or (
                    size > limits.RATIO_FROM_BYTES and size > lim.max_ratio * len(raw)
                ):
                    raise InputError(
                        f"gzip 文件解压后超过 {size // 1024**2} MiB（压缩前 {len(raw)} 字节，"
                        f"上限 {lim.max_decompressed_bytes // 1024**2} MiB、压缩比 {lim.max_ratio} 倍；"
                        "设置 ingest.max_decompressed_mib、ingest.max_gzip_ratio）："
                        "这不是监测数据文件，未导入；请核对文件来源"
                    )
            if not inflater.eof:
                out.append(inflater.flush())
        except zlib.error as exc:
            return _damaged(
                b"".join(out),
                "corrupt",
                len(raw) - start,
                f"gzip 压缩数据损坏（{exc}）：已解压的内容无法确认正确，整个文件未导入；"
                "请取得完好的文件后重新导入",
            )
        if not inflater.eof:
            return _damaged(
                b"".join(out),
                "truncated",
                0,
                f"gzip 文件不完整：压缩流在第 {len(raw)} 字节处中断，其后的内容缺失；已读出的完整行照常处理，"
                "请取得完整的文件后重新导入",
            )
        rest = inflater.unused_data + raw[pos:]
        pos = len(raw) - len(rest)
        if not rest:
            return Payload(b"".join(out))
        if rest[:2] != _GZIP_MAGIC:
            return Payload(
                b"".join(out),
                "trailing",
                rest,
                len(rest),
                f"gzip 压缩流结束后还有 {len(rest)} 字节无法识别的数据，未读入；请核对文件是否完整、来源是否正确",
            )


def _damaged(data: bytes, problem: str, unread: int, message: str) -> Payload:
    cut = data.rfind(b"\n") + 1
    return Payload(data[:cut], problem, data[cut:], unread, message)


#: Contents held in memory under a path of their own (members of a zip archive, :mod:`lantian.io.archives`):
#: every reader reads them through :func:`file_bytes` as if they were files on disk.
_IN_MEMORY: contextvars.ContextVar[dict[str, bytes] | None] = contextvars.ContextVar("in_memory", default=None)


@contextmanager
def in_memory(path: Path, data: bytes) -> Iterator[Path]:
    """Make ``data`` readable as the file ``path`` while the context lasts (nothing is written to disk)."""
    token = _IN_MEMORY.set({**(_IN_MEMORY.get() or {}), str(path): data})
    try:
        yield path
    finally:
        _IN_MEMORY.reset(token)


def file_bytes(path: Path) -> bytes:
    """The raw bytes of a file: held in memory (:func:`in_memory`), else read from disk."""
    held = (_IN_MEMORY.get() or {}).get(str(path))
    return held if held is not None else Path(path).read_bytes()


def read_payload(path: Path) -> Payload:
    """The file's bytes, gunzipped when they start with the gzip magic; damage is described, not raised."""
    raw = file_bytes(path)
    if raw[:2] == _GZIP_MAGIC:
        return _gunzip(raw)
    return Payload(raw)


def read_bytes(path: Path) -> bytes:
    """The readable bytes of a file (see :func:`read_payload` for what could not be read)."""
    return read_payload(path).data


def decode_lines(raw: bytes) -> tuple[list[tuple[int, str | None, bytes]], str]:
    """Lines as ``(line number, text or None when undecodable, raw bytes)`` and the encoding chosen."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [(i, t, b"") for i, t in enumerate(_split(text), start=1)], encoding
    parts = raw.split(b"\n")
    while parts and parts[-1] in (b"", b"\x1a"):
        parts.pop()
    non_ascii = [p for p in parts if not p.isascii()]
    utf8_ok = sum(1 for p in non_ascii if _try(p, "utf-8") is not None)
    encoding = "utf-8" if utf8_ok * 2 > len(non_ascii) else "gb18030"
    out = []
    for i, p in enumerate(parts, start=1):
        p = p.rstrip(b"\r")
        out.append((i, _try(p, encoding), p))
    return out, encoding


def _try(b: bytes, encoding: str) -> str | None:
    try:
        return b.decode(encoding)
    except UnicodeDecodeError:
        return None


def _split(text: str) -> list[str]:
    lines = text.split("\n")
    while lines and lines[-1] in ("", "\x1a"):  # trailing newline; SUB = DOS end-of-file mark
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def read_table(path: Path, header: bool = True, columns: list[str] | None = None) -> RawTable:
    """Split a CSV file into fields; lines with the wrong field count or bad bytes become rejects.

    With ``header=False`` the column names come from ``columns``. A header line that cannot be read,
    or no line at all, raises :class:`~lantian.errors.InputError` (the file is refused as a whole).
    """
    payload = read_payload(path)
    if payload.problem == "corrupt":
        raise InputError(payload.message)
    lim = limits.in_force()
    fast = _plain_table(payload, header, columns, lim)
    if fast is not None:
        return fast
    lines, encoding = decode_lines(payload.data)
    rejects: list[tuple[int, str, str]] = []
    head: list[str] | None = None if header else list(columns or [])
    rows: list[list[str]] = []
    numbers: list[int] = []
    texts: list[tuple[int, str]] = []
    for number, text, raw in lines:
        at_header = header and not texts and not rejects
        if text is None:
            if at_header:
                raise _header_error(path, number, "含有无法解码的字节")
            rejects.append((number, raw.decode("utf-8", "backslashreplace"), "undecodable bytes"))
            continue
        if number == 1:
            text = text.lstrip("\ufeff")
        if not text.strip():
            continue
        if len(text) > lim.max_line_chars:
            if at_header:
                raise InputError(
                    f"{path}：表头一行有 {len(text)} 个字符（上限 {lim.max_line_chars}，设置 ingest.max_line_chars）："
                    "这不是监测数据表，未导入"
                )
            rejects.append((number, text[:200], f"line longer than {lim.max_line_chars} characters"))
            continue
        if "\x00" in text:
            if at_header:
                raise _header_error(path, number, "含有 NUL 字节")
            rejects.append((number, text.replace("\x00", "\\x00"), "unparseable line (NUL bytes)"))
            continue
        texts.append((number, text))
    # A record spanning several physical lines can only come from a stray quote in these formats: the
    # line holding it is rejected alone and reading restarts on the next line, so every following line
    # is read (or rejected) on its own and each line is accounted for once.
    base = 0
    reader = csv.reader(t for _, t in texts)
    consumed = 0
    while True:
        start = consumed
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error:
            number, text = texts[start]
            if head is None:
                raise _header_error(path, number, "CSV 格式错误") from None
            rejects.append((number, text, "unparseable line"))
            consumed = start + 1
            base = consumed
            reader = csv.reader(t for _, t in itertools.islice(texts, consumed, None))
            continue
        consumed = base + reader.line_num
        number = texts[start][0]
        if consumed - start > 1 or (consumed == len(texts) and _open_quote(texts[start][1])):
            if head is None:
                raise _header_error(path, number, "引号没有闭合")
            rejects.append((number, texts[start][1], f"unterminated quote on line {number}"))
            consumed = start + 1
            base = consumed
            reader = csv.reader(t for _, t in itertools.islice(texts, consumed, None))
            continue
        if head is None:
            if len(fields) > lim.max_columns:
                raise InputError(
                    f"{path}：表头有 {len(fields)} 列（上限 {lim.max_columns}，设置 ingest.max_columns）："
                    "这不是监测数据表，未导入"
                )
            head = [f.strip().lstrip("\ufeff") for f in fields]
            continue
        if len(fields) != len(head):
            why = f"wrong column count ({len(fields)}, expected {len(head)})"
            rejects.append((number, texts[start][1], why))
            continue
        rows.append(fields)
        numbers.append(number)
    if head is None:
        raise InputError(f"{path}：文件中没有表头（没有可读的行）：文件未导入；请核对文件内容与 --format")
    unread = payload.reject()
    if unread is not None:
        rejects.append(unread)
    return RawTable(header=head, rows=rows, lines=numbers, rejects=rejects, encoding=encoding)


def _decode_whole(raw: bytes) -> tuple[str, str] | None:
    """The text of bytes that decode as a whole (BOM removed), and the encoding; None for mixed bytes."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


#: A field the CSV reader and Polars read alike: unquoted without a quote, or quoted without a quote inside.
_PLAIN_FIELD = r'(?:"[^"\n]*"|[^",\n]*)'
_PLAIN_LINE = re.compile(rf"{_PLAIN_FIELD}(?:,{_PLAIN_FIELD})*")


@functools.lru_cache(maxsize=64)
def _plain_record(width: int) -> re.Pattern:
    """A line of ``width`` :data:`_PLAIN_FIELD` fields."""
    return re.compile(rf"{_PLAIN_FIELD}(?:,{_PLAIN_FIELD}){{{width - 1}}}")


def _plain_table(payload: Payload, header: bool, columns: list[str] | None, lim) -> RawTable | None:
    """A file :func:`read_table` would read without a reject of its own, read by Polars in one pass.

    Only text that decodes as a whole, with no NUL byte, carriage return (other than line ends), blank
    or overlong line, and whose header and data lines (each with the header's field count) consist of
    :data:`_PLAIN_FIELD` fields qualifies: the CSV reader and Polars split such lines alike, and none of
    them is a reject. Anything else returns None and the file is read line by line.
    """
    decoded = _decode_whole(payload.data)
    if decoded is None:
        return None
    text, encoding = decoded
    if "\x00" in text:
        return None
    lines = text.split("\n")
    while lines and lines[-1] in ("", "\x1a"):  # as _split
        lines.pop()
    if "\r" in text:
        lines = [t[:-1] if t.endswith("\r") else t for t in lines]
        if any("\r" in t for t in lines):
            return None
    if lines:
        lines[0] = lines[0].lstrip("\ufeff")
    if not lines or max(map(len, lines)) > lim.max_line_chars or not all(t.strip() for t in lines):
        return None
    if header:
        if not _PLAIN_LINE.fullmatch(lines[0]):
            return None
        head = [f.strip().lstrip("\ufeff") for f in next(csv.reader([lines[0]]))]
        if len(head) > lim.max_columns:
            return None
        body, first = lines[1:], 2
    else:
        head, body, first = list(columns or []), lines, 1
    # (Polars would take a byte-order mark opening the first data line for its own)
    if not body or not head or body[0].startswith("\ufeff"):
        return None
    commas, record = len(head) - 1, _plain_record(len(head))
    if any(record.fullmatch(t) is None if '"' in t else t.count(",") != commas for t in body):
        return None
    fields = pl.read_csv(
        "\n".join(body).encode("utf-8"),
        has_header=False,
        new_columns=[f"f{i}" for i in range(len(head))],
        schema_overrides={f"f{i}": pl.String for i in range(len(head))},
        infer_schema=False,
        quote_char='"',
        empty_string_is_null=False,
        comment_prefix=None,
    )
    if fields.height != len(body) or fields.width != len(head):
        return None
    unread = payload.reject()
    return RawTable(
        header=head,
        lines=list(range(first, first + len(body))),
        rejects=[unread] if unread is not None else [],
        encoding=encoding,
        fields=fields,
        texts=body,
        rows=None,
    )


def _open_quote(text: str) -> bool:
    """Whether a quoted field of the line is still open at its end (the CSV reader accepts this on the
    last line of a file, where it cannot read on)."""
    reader = csv.reader([text, ""])
    next(reader, None)
    return reader.line_num > 1


def _header_error(path: Path, number: int, why: str) -> InputError:
    """A header line that cannot be read: no column can be named, so no line of the file can be read.

    Reading on would take the next line (a data row) as the header and lose it without a trace."""
    return InputError(f"{path}：第 {number} 行（表头）无法读取（{why}）：文件未导入；请改正表头后重新导入")


def first_line(path: Path) -> str:
    """The first non-empty decodable line (header sniffing)."""
    raw = read_bytes(path)[:65536]
    for _number, text, _raw in decode_lines(raw)[0]:
        if text is not None and text.strip():
            return text.lstrip("\ufeff")
        if text is None:
            return ""
    return ""


@functools.lru_cache(maxsize=64)
def _numeric_exprs(mapping: tuple[tuple[str, str], ...], zero_missing: bool) -> tuple:
    """The expressions of :func:`numeric` for one mapping (built once: they depend on nothing else)."""
    # Stripped text and parsed number of each column first (two passes: every later expression reads them).
    # A missing marker never parses as a finite number, so the value is the number where it is finite.
    tmp = {src: (f"_numeric_text_{i}", f"_numeric_value_{i}") for i, (src, _) in enumerate(mapping)}
    strip = [pl.col(src).str.strip_chars().alias(t) for src, (t, _) in tmp.items()]
    parse = [pl.col(t).cast(pl.Float64, strict=False).alias(f) for t, f in tmp.values()]
    markers = [*MISSING, NOT_MONITORED, None]
    exprs, bad_flags = [], []
    for src, dst in mapping:
        text, number = (pl.col(c) for c in tmp[src])
        finite = number.is_finite().fill_null(False)
        exprs.append(pl.when(finite & (number != 0) if zero_missing else finite).then(number).alias(dst))
        bad_flags.append((~(finite | text.is_in(markers, nulls_equal=True))).alias(f"_bad_{src}"))
    flags = [pl.col(f"_bad_{src}") for src, _ in mapping]
    bad = pl.any_horizontal(flags) if flags else pl.lit(False)
    names = (
        pl.concat_list(
            [
                pl.when(pl.col(f"_bad_{src}")).then(pl.lit(src.split(":", 1)[-1])).otherwise(None)
                for src, _ in mapping
            ]
        )
        .list.drop_nulls()
        .list.join(", ")
    )
    return strip, parse, exprs + bad_flags, [c for pair in tmp.values() for c in pair], bad, names


def numeric(
    frame: pl.DataFrame, mapping: dict[str, str], zero_missing: bool = False
) -> tuple[pl.DataFrame, pl.Expr, pl.Expr]:
    """Parse string columns ``mapping`` (source → canonical) as Float64.

    Returns the frame with canonical Float64 columns added, a boolean expression *bad* (a value that is
    neither a number nor a missing marker) and a String expression naming the bad columns.
    Not-monitored markers (``/``) become null.
    """
    strip, parse, values, drop, bad, names = _numeric_exprs(tuple(mapping.items()), zero_missing)
    frame = frame.with_columns(strip).with_columns(parse).with_columns(values).drop(drop)
    return frame, bad, names


#: The AQI scale: HJ 633-2012 Table 2 starts at 0, HJ 633-2026 §4.1.1 ends at 500. A published AQI outside it
#: is a damaged cell (and one too large for an integer would stop the reader).
AQI_MIN, AQI_MAX = 0, 500


def aqi_out_of_range(col: str, text: str | None = None) -> tuple[pl.Expr, pl.Expr]:
    """``(condition, reason)`` rejecting a row whose AQI in ``col`` is outside :data:`AQI_MIN`–:data:`AQI_MAX`;
    the reason quotes the source column ``text`` as written (else the parsed value)."""
    c = pl.col(col)
    shown = pl.col(text).str.strip_chars() if text else c
    return (
        ((c < AQI_MIN) | (c > AQI_MAX)).fill_null(False),
        pl.format("aqi outside {}–{}: {}", pl.lit(AQI_MIN), pl.lit(AQI_MAX), shown),
    )


def drop_bad_flags(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop([c for c in frame.columns if c.startswith("_bad_")])


def split_bad(
    frame: pl.DataFrame, conditions: list[tuple[pl.Expr, pl.Expr]], screen: pl.Expr | None = None
) -> tuple[pl.DataFrame, list]:
    """Remove rows matching any ``(condition, reason)``; return the rest and the rejects of the first match.

    ``screen``, when given, is a cheaper boolean expression true on every row where a condition holds:
    where it holds nowhere, no condition is tested.
    """
    if not conditions or not frame.height:
        return frame, []
    if screen is None:
        screen = pl.any_horizontal([cond.fill_null(False) for cond, _ in conditions])
    hit = frame.select(screen.fill_null(False).any()).item()
    if not hit:  # no condition holds anywhere: no reason to compose
        return frame, []
    reason = pl.lit(None, pl.String)
    for cond, why in reversed(conditions):
        reason = pl.when(cond).then(why).otherwise(reason)
    frame = frame.with_columns(_reason=reason)
    bad = frame.filter(pl.col("_reason").is_not_null())
    good = frame.filter(pl.col("_reason").is_null()).drop("_reason")
    return good, list(
        zip(bad["_line"].to_list(), bad["_raw"].to_list(), bad["_reason"].to_list(), strict=True)
    )


def raw_text(columns: list[str]) -> pl.Expr:
    """The row re-joined as CSV text (for quarantine records)."""
    return pl.concat_str([pl.col(c).fill_null("") for c in columns], separator=",").alias("_raw")


def parse_times(col: str, formats: tuple[str, ...]) -> pl.Expr:
    s = pl.col(col).str.strip_chars()
    return pl.coalesce([s.str.to_datetime(f, strict=False, time_unit="us") for f in formats])


PERIOD_PATTERNS = (
    re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2})(?::?\d{2})?_(\d{4}-\d{2}-\d{2}T\d{2})"),
    re.compile(r"(?<!\d)(\d{8})-(\d{8})(?!\d)"),
)


@dataclass
class Parsed:
    """What a reader hands to the dataset: one row per accounting unit, plus the rejected units.

    ``frame`` holds the canonical columns, ``_line`` (first line of the unit) and ``_raw`` (its text);
    ``provided`` names the value columns the format carries (others are left as stored);
    ``period`` is the inclusive span of time labels (or dates) the file itself declares.
    """

    table: str
    frame: pl.DataFrame
    rejects: list[tuple[int, str, str]]
    meta: dict
    provided: list[str]
    period: tuple | None = None
    stations: pl.DataFrame | None = None

    @property
    def rows_read(self) -> int:
        return self.frame.height + len(self.rejects)

    def public(self) -> tuple[pl.DataFrame, dict]:
        meta = dict(self.meta)
        meta.update(
            table=self.table,
            rows_read=self.rows_read,
            rejects=rejects_frame(self.rejects),
            period=self.period,
            provided=list(self.provided),
        )
        if self.stations is not None:
            meta["stations"] = self.stations
        return self.frame.drop([c for c in ("_line", "_raw") if c in self.frame.columns]), meta


def o3_8h_columns(frame: pl.DataFrame, moving: str, maximum: str) -> tuple[pl.DataFrame, str]:
    """Canonical ``o3_8h`` (moving average) and ``o3_8h_max`` (day's maximum so far).

    The platform's ``o3_8h_24h`` is the moving average and ``o3_8h`` the maximum (data README); if a
    file's values contradict this (the named maximum below the moving average somewhere while the other
    way round never), the columns are swapped.
    """
    mov, top = pl.col(moving), pl.col(maximum)  # comparisons are null, and not counted, unless both hold
    n, below, le, ge = frame.select(
        n=(mov.is_not_null() & top.is_not_null()).sum(),
        below=(top < mov).any(),
        le=(mov <= top).sum(),
        ge=(mov >= top).all(),
    ).row(0)
    swapped = bool(n) and bool(below) and le < n and bool(ge)
    if swapped:
        return frame.with_columns(o3_8h=pl.col(maximum), o3_8h_max=pl.col(moving)), "8-hour columns swapped"
    return frame.with_columns(o3_8h=pl.col(moving), o3_8h_max=pl.col(maximum)), "as named"


def period_of(path: Path) -> tuple[str, str] | None:
    for pattern in PERIOD_PATTERNS:
        m = pattern.search(path.name)
        if m:
            return m.group(1), m.group(2)
    return None
