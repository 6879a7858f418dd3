"""Fuzzed ingest of damaged real files: nothing lost, nothing overwritten, every row accounted for.

Provenance: every input is a damaged copy of a real file of ../shared/data (see its README): the 2022
national-platform release ``cnemc/2022-01-01T00_2022-01-03T00_xiangtan_zhuzhou.csv`` (637 rows), the
2026 release ``cnemc/2026-04-01T10_2026-04-02T15_two_chunks.csv`` (302 rows) and a bureau-style wide
generic CSV written here from the 2026 release's station-hours (``time,station,pm25,pm10,so2,no2,co,o3``).
The damage (:mod:`fuzz_tools`) is chosen by hypothesis, derandomized and bounded so CI runs the same
examples every time. The expected figures come from :func:`fuzz_tools.count_units`, which counts the
non-blank lines of the (independently gunzipped) bytes without lantian's readers.

For every input:

- no exception escapes but lantian's own (:class:`lantian.errors.LantianError`): the reader either
  reads the file or refuses it with a message; the CLI exits 0, 1 or 2 with a message, never a
  traceback;
- ``rows_read = stored + quarantined + duplicate``, and ``rows_read`` equals the independent count:
  the non-blank lines minus the header for a file that was read, every non-blank line for a file
  refused as a whole, plus one unit for the unread rest of a damaged gzip stream; a corrupt deflate
  stream is refused whole with nothing stored;
- the store held the clean file before: every stored row is still there, and a row whose values
  changed is exactly one of the ``rows_revised`` rows, its old values in ``revisions``; new keys add
  ``rows_stored - rows_revised`` rows; ingesting the same damaged file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import fuzz_tools as ft
import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lantian.cli import app
from lantian.errors import LantianError
from lantian.io import formats
from lantian.io.dataset import TABLES, Dataset
from shared_paths import CNEMC_2022, CNEMC_2026_CHUNKS

runner = CliRunner()
GENERIC_NAME = "bureau_export_2026.csv"
READ_STATUSES = {"ingested", "incomplete", "refused"}
WHOLE_REFUSALS = {"unrecognised", "error"}


def _generic_text() -> str:
    """A wide generic export of the 2026 release's station-hours (values copied as published)."""
    rows = list(csv.reader(io.StringIO(CNEMC_2026_CHUNKS.read_text(encoding="utf-8"))))
    head = rows[0]
    col = {h: i for i, h in enumerate(head)}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["time", "station", "pm25", "pm10", "so2", "no2", "co", "o3"])
    for r in rows[1:]:
        t = r[col["timepoint"]]  # 2026-04-01T1000
        when = f"{t[:10]} {t[11:13]}:{t[13:15]}:00"
        w.writerow(
            [when, r[col["stationcode"]], *(r[col[c]] for c in ("pm2_5", "pm10", "so2", "no2", "co", "o3"))]
        )
    return buf.getvalue()


BASES = {
    CNEMC_2022.name: CNEMC_2022.read_text(encoding="utf-8"),
    CNEMC_2026_CHUNKS.name: CNEMC_2026_CHUNKS.read_text(encoding="utf-8"),
    GENERIC_NAME: _generic_text(),
}


@pytest.fixture(scope="module")
def clean_stores(tmp_path_factory) -> dict[str, Path]:
    """One store per base file, holding the clean file (copied for every example)."""
    out = {}
    for name, text in BASES.items():
        root = tmp_path_factory.mktemp("clean")
        src = root / "in" / name
        src.parent.mkdir()
        src.write_text(text, encoding="utf-8")
        report = Dataset(root / "store").ingest(src)
        f = report.files[0]
        assert f.status == "ingested" and f.rows_quarantined == 0, f
        assert f.rows_read == ft.count_units(text.encode()).lines - 1
        out[name] = root / "store"
    return out


def _snapshot(ds: Dataset) -> dict[str, pl.DataFrame]:
    return {
        "hourly": ds.scan_hourly().collect(),
        "city_hourly": ds.scan_city_hourly().collect(),
        "daily": ds.scan_daily().collect(),
        "monthly": ds.scan_monthly().collect(),
    }


def _revisions(ds: Dataset) -> dict[str, pl.DataFrame]:
    return {name: ds.revisions(name) for name in TABLES}


def _assert_nothing_lost(before, after, rev_before, rev_after, f, ops) -> None:
    """Every stored row is still stored; each changed row is a reported revision with its old values."""
    changed_total = 0
    new_total = 0
    for name, old in before.items():
        new = after[name]
        key = list(TABLES[name].key)
        joined = old.join(new, on=key, how="left", nulls_equal=True, suffix="__new")
        lost = joined.filter(pl.col("ingested_at__new").is_null())
        assert lost.height == 0, (ops, f, lost.head())
        values = [c for c in old.columns if c not in key]
        differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"{c}__new")) for c in values])
        changed = joined.filter(differs).select(*key, *values)
        added = rev_after[name].height - rev_before[name].height
        assert added == changed.height, (ops, f, name, added, changed.height)
        if changed.height:
            rev = rev_after[name].tail(added).select(*key, *values)
            got = rev.sort(key, nulls_last=True)
            want = changed.sort(key, nulls_last=True)
            assert got.equals(want), (ops, f, name, got.head(), want.head())
        changed_total += changed.height
        new_total += new.height - old.height
    assert changed_total == f.rows_revised, (ops, f)
    assert new_total == f.rows_stored - f.rows_revised, (ops, f)


def _parse_or_refuse(path: Path) -> bool:
    """True when lantian reads the file; False when it refuses it with its own error. Anything else
    (an unexpected exception) propagates and fails the test."""
    try:
        if formats.detect(path) is None:
            return False
        formats.parse(path)
    except LantianError as exc:
        assert str(exc).strip(), "a refusal must say what is wrong"
        return False
    return True


def _check_ingest(name: str, damaged: ft.Damaged, store: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        root = work / "store"
        shutil.copytree(store, root)
        src = work / "in" / (name + (".gz" if damaged.data[:2] == b"\x1f\x8b" else ""))
        src.parent.mkdir()
        src.write_bytes(damaged.data)
        ops = damaged.ops
        units = ft.count_units(damaged.data)
        readable = _parse_or_refuse(src)

        ds = Dataset(root)
        before, rev_before = _snapshot(ds), _revisions(ds)
        f = ds.ingest(src).files[0]
        assert f.balanced, (ops, f)
        event(f"status {f.status}")
        event("revisions reported" if f.rows_revised else "no revision")
        after, rev_after = _snapshot(ds), _revisions(ds)
        _assert_nothing_lost(before, after, rev_before, rev_after, f, ops)

        if units.corrupt:
            assert f.status == "error" and f.rows_stored == 0 and f.message, (ops, f)
        elif f.status == "already ingested":  # the damage left the clean file's bytes
            assert f.rows_read == f.rows_duplicate == units.lines - 1, (ops, f)
        elif readable:
            assert f.status in READ_STATUSES, (ops, f)
            assert f.rows_read == max(units.lines - 1, 0) + units.unread, (ops, f, units)
            if units.unread:  # kept lines stored ("incomplete") or none to keep ("refused"), said so
                assert f.status in ("incomplete", "refused") and f.message.startswith("gzip "), (ops, f)
            else:
                assert f.status != "incomplete", (ops, f)
        else:
            assert f.status in WHOLE_REFUSALS and f.message, (ops, f)
            assert f.rows_stored == 0 and f.rows_read == units.lines + units.unread, (ops, f, units)
        if f.rows_read and f.status != "already ingested":
            q = ds.quarantine().filter(pl.col("sha256") == f.sha256)
            assert q.height == f.rows_quarantined, (ops, f, q.height)
            assert (q["reason"].str.len_chars() > 0).all(), (ops, q)

        # the same damaged file again: nothing changes, every row is a duplicate
        g = ds.ingest(src).files[0]
        assert g.balanced and g.rows_read == f.rows_read, (ops, f, g)
        if f.rows_read:
            assert g.rows_duplicate == g.rows_read and g.rows_stored == 0, (ops, f, g)
        again = _snapshot(ds)
        for table, frame in after.items():
            assert again[table].equals(frame), (ops, table)
        assert all(ds.revisions(t).height == rev_after[t].height for t in TABLES), ops
    finally:
        shutil.rmtree(work, ignore_errors=True)


table_ops = st.lists(st.sampled_from(ft.TABLE_OPS), max_size=4)
encodings = st.sampled_from(ft.ENCODINGS)
byte_ops = st.lists(st.sampled_from(ft.BYTE_OPS), max_size=2, unique=True)
containers = st.sampled_from(ft.CONTAINERS)
seeds = st.integers(0, 2**32 - 1)
names = st.sampled_from(list(BASES))
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(name=names, ops=table_ops, encoding=encodings, bops=byte_ops, container=containers, seed=seeds)
def test_fuzz_ingest_accounts_for_every_row(clean_stores, name, ops, encoding, bops, container, seed):
    damaged = ft.make(BASES[name], ops, encoding, bops, container, seed)
    _check_ingest(name, damaged, clean_stores[name])


@settings(FUZZ, max_examples=40)
@given(name=names, ops=table_ops, encoding=encodings, bops=byte_ops, container=containers, seed=seeds)
def test_fuzz_cli_ingest_never_shows_a_traceback(clean_stores, name, ops, encoding, bops, container, seed):
    damaged = ft.make(BASES[name], ops, encoding, bops, container, seed)
    work = Path(tempfile.mkdtemp(prefix="fuzz-cli-"))
    try:
        store = work / "store"
        shutil.copytree(clean_stores[name], store)
        src = work / "in" / (name + (".gz" if damaged.data[:2] == b"\x1f\x8b" else ""))
        src.parent.mkdir()
        src.write_bytes(damaged.data)
        units = ft.count_units(damaged.data)
        for args in (["--json"], []):
            result = runner.invoke(app, ["ingest", "--store", str(store), *args, str(src)])
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                damaged.ops,
                result.exception,
            )
            assert result.exit_code in (0, 1, 2), (damaged.ops, result.output)
            assert "Traceback" not in result.output, (damaged.ops, result.output)
            if args:
                report = json.loads(result.stdout)
                assert report["totals"]["balanced"], (damaged.ops, report)
                f = report["files"][0]
                expected = {units.lines - 1 + units.unread, units.lines + units.unread}
                if not units.corrupt and f["status"] != "already ingested":
                    assert f["rows_read"] in expected | {units.unread}, (damaged.ops, f, units)
            else:
                assert "已核平" in result.output, (damaged.ops, result.output)  # the summary's "balanced"
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- regressions found by the fuzz ------------------------------------------------------------------


def _replace_cells(text: str, edits: dict[tuple[int, str], str]) -> str:
    """``text`` (a CSV with header) with cells ``(data row index, column) → value`` replaced."""
    header, rows = ft.split_table(text)
    for (i, col), value in edits.items():
        rows[i][header.index(col)] = value
    return "\n".join(ft._join(header, rows)) + "\n"


def test_absurd_aqi_quarantines_its_row_not_the_file(tmp_path):
    """Defect: an AQI cell of ``1e30`` in a national-platform release (a whole number, so it passed the
    integer check) overflowed the Int64 cast, and the whole file was refused with a Polars message: the
    other 636 rows of the 2022 release were not stored. An AQI outside the scale (HJ 633: 0–500) is now
    one quarantined row. Base: the shared 2022 release (637 rows); the mirror and aqistudy readers cast
    AQI the same way and are checked alike."""
    edits = {(5, "aqi"): "1e30", (6, "aqi"): "-3", (7, "aqi"): "501", (8, "aqi"): "500"}
    path = tmp_path / "damaged" / CNEMC_2022.name
    path.parent.mkdir()
    path.write_text(_replace_cells(BASES[CNEMC_2022.name], edits), encoding="utf-8")
    ds = Dataset(tmp_path / "store")
    f = ds.ingest(path).files[0]
    assert f.status == "ingested" and f.balanced, f
    assert (f.rows_read, f.rows_stored, f.rows_quarantined) == (637, 634, 3), f
    reasons = sorted(ds.quarantine()["reason"].to_list())
    assert reasons == ["aqi outside 0–500: -3", "aqi outside 0–500: 1e30", "aqi outside 0–500: 501"]
    assert 500 in ds.scan_hourly().collect()["aqi_official"].to_list()

    mirror_src = Path(__file__).parents[1] / "data" / "mirror" / "china_sites_20220101.csv"
    lines = mirror_src.read_text(encoding="utf-8").splitlines()
    aqi_line = next(i for i, ln in enumerate(lines) if ln.startswith("20220101,3,AQI,"))
    cells = lines[aqi_line].split(",")
    cells[3] = "1e30"
    lines[aqi_line] = ",".join(cells)
    mirror = tmp_path / "mirror" / mirror_src.name
    mirror.parent.mkdir()
    mirror.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parsed = formats.parse(mirror)
    assert [r[2] for r in parsed.rejects] == ["aqi outside 0–500: 1e+30"]
    assert parsed.rows_read == 13 * 24

    daily = Path(CNEMC_2022).parents[1] / "aqistudy-daily" / "daily" / "株洲.csv.gz"
    import gzip

    text = gzip.decompress(daily.read_bytes()).decode("utf-8-sig").splitlines()
    cells = text[10].split(",")
    cells[2] = "1e30"
    text[10] = ",".join(cells)
    city = tmp_path / "aqistudy" / "株洲.csv"
    city.parent.mkdir()
    city.write_text("\n".join(text) + "\n", encoding="utf-8")
    parsed = formats.parse(city)
    assert [(r[0], r[2]) for r in parsed.rejects] == [(11, "aqi outside 0–500: 1e30")]
    assert parsed.rows_read == len(text)


def _mirror_from_release(source: Path, day: str) -> str:
    """The mirror layout (``date,hour,type,<codes>``) of one day of a national-platform release."""
    header, rows = ft.split_table(source.read_text(encoding="utf-8"))
    col = {h: i for i, h in enumerate(header)}
    types = {
        "AQI": "aqi", "PM2.5": "pm2_5", "PM2.5_24h": "pm2_5_24h", "PM10": "pm10", "PM10_24h": "pm10_24h",
        "SO2": "so2", "SO2_24h": "so2_24h", "NO2": "no2", "NO2_24h": "no2_24h", "O3": "o3",
        "O3_24h": "o3_24h", "O3_8h": "o3_8h", "O3_8h_24h": "o3_8h_24h", "CO": "co", "CO_24h": "co_24h",
    }  # fmt: skip
    codes = sorted({r[col["stationcode"]] for r in rows})
    cell = {(r[col["timepoint"]], r[col["stationcode"]]): r for r in rows}
    out = [["date", "hour", "type", *codes]]
    for hour in range(24):
        stamp = f"{day[:4]}-{day[4:6]}-{day[6:]}T{hour:02d}00"
        for name, src in types.items():
            values = []
            for c in codes:
                v = cell[(stamp, c)][col[src]] if (stamp, c) in cell else ""
                values.append("" if v in ("NA", "/") else v)
            out.append([day, str(hour), name, *values])
    return "\n".join(ft._join(None, out)) + "\n"


def test_mirror_o3_layout_decided_from_validated_rows(tmp_path):
    """Defect: the mirror reader decided the O3 layout from every value, so one absurd O3 cell (99999
    beside an O3_24h of a few µg/m³) in a mirror of a 2026 release, where O3 and O3_24h both hold the
    1-hour value, made it read the whole file as the 2022 layout: every station-hour's ``o3`` was taken
    from ``O3_24h`` and ``o3_1h_max24`` filled with 1-hour values. It now uses the national reader's
    decision on the rows that pass validation (:func:`lantian.io.cnemc.o3_layout_of`). Base: day
    2026-04-01 of the shared release ``cnemc/2026-04-01T00_2026-04-03T00_yueyang_zhangjiajie_zhuzhou.csv``
    written in the mirror layout."""
    from lantian.io.cnemc import read_cnemc
    from lantian.io.mirror import read_mirror
    from shared_paths import CNEMC_2026

    clean_text = _mirror_from_release(CNEMC_2026, "20260401")
    platform, _ = read_cnemc(CNEMC_2026)
    platform = platform.filter(pl.col("time").dt.date() == pl.date(2026, 4, 1)).select(
        "station_code", "time", "o3"
    )
    lines = clean_text.splitlines()
    o3_line = next(i for i, ln in enumerate(lines) if ln.startswith("20260401,12,O3,"))
    cells = lines[o3_line].split(",")
    assert cells[3] not in ("", "99999")
    cells[3] = "99999"
    lines[o3_line] = ",".join(cells)
    for label, text in (("clean", clean_text), ("absurd", "\n".join(lines) + "\n")):
        path = tmp_path / label / "china_sites_20260401.csv"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        frame, meta = read_mirror(path)
        assert meta["o3_layout"] == "o3 and o3_24h both hold the 1-hour value", label
        assert "o3_1h_max24" not in meta["provided"] and frame["o3_1h_max24"].is_null().all(), label
        got = frame.select("station_code", "time", "o3").join(
            platform, on=["station_code", "time"], suffix="_p"
        )
        differs = got.filter(pl.col("o3").ne_missing(pl.col("o3_p")))
        assert differs.height == (1 if label == "absurd" else 0), (label, differs)
        f = Dataset(tmp_path / f"store-{label}").ingest(path).files[0]
        assert f.balanced and f.rows_quarantined == (1 if label == "absurd" else 0), f


@pytest.mark.parametrize(
    ("damage", "body"),
    [
        ("NUL byte", lambda h: h[:5] + "\x00" + h[5:]),
        ("unclosed quote", lambda h: h.replace("stationcode", '"stationcode', 1)),
        ("undecodable bytes", None),
    ],
)
def test_unreadable_header_refuses_the_file_and_loses_no_row(tmp_path, damage, body):
    """Defect: when the header line of a national-platform release could not be read (a flipped byte
    gave it a NUL or an unclosed quote, or bytes that decode in no encoding), it was quarantined as one
    row and the *first data line* was taken as the header: that station-hour was neither stored nor
    quarantined, and every other row was read under wrong column names. With no other line, the reader
    stopped with a Polars error. Now the file is refused as a whole: every line is quarantined, nothing
    is stored, the message names the header line. Base: the shared 2026 two-chunk release (302 rows +
    header)."""
    text = BASES[CNEMC_2026_CHUNKS.name]
    head, rest = text.split("\n", 1)
    data = (body(head).encode() if body else head.encode()[:20] + b"\xff\xfe" + head.encode()[20:]) + b"\n"
    for label, payload in (("with rows", data + rest.encode()), ("header only", data)):
        path = tmp_path / label / CNEMC_2026_CHUNKS.name
        path.parent.mkdir()
        path.write_bytes(payload)
        lines = ft.count_units(payload).lines
        with pytest.raises(LantianError, match="表头"):
            formats.parse(path, "cnemc")
        ds = Dataset(tmp_path / f"store-{label}")
        f = ds.ingest(path, fmt="cnemc").files[0]
        assert f.status == "error" and "表头" in f.message, (damage, f)
        assert f.balanced and f.rows_stored == 0 and f.rows_read == f.rows_quarantined == lines, (damage, f)
        assert ds.quarantine().height == lines and ds.scan_hourly().collect().height == 0
        auto = Dataset(tmp_path / f"auto-{label}").ingest(path).files[0]  # recognised or not: refused whole
        assert auto.rows_stored == 0 and auto.rows_read == lines and auto.balanced, (damage, auto)


def test_empty_file_with_a_named_format_is_refused_not_a_crash(tmp_path):
    """Defect: an empty file ingested with ``--format cnemc`` (or a gzip file whose stream breaks before
    its first line) reached the reader with no header and stopped with a Polars error; it is now
    refused with a message saying the file holds no header."""
    for name, payload in (("empty.csv", b""), ("cut.csv.gz", ft.contain(b"x" * 50, "gzip", None)[:12])):
        path = tmp_path / name
        path.write_bytes(payload)
        f = Dataset(tmp_path / f"store-{name}").ingest(path, fmt="cnemc").files[0]
        assert f.status == "error" and "没有表头" in f.message and f.balanced and f.rows_stored == 0, f


def test_stray_quote_on_the_last_line_costs_that_line(tmp_path):
    """Defect: a stray opening quote costs its own line (defect 10) except on the last line of a file,
    where the CSV reader, unable to read on, closed the field itself: ``…,"0.7`` was read as ``0.7`` and
    stored as if the line were intact. Base: the shared 2022 release (637 rows); its last line gets the
    quote before its last field."""
    lines = BASES[CNEMC_2022.name].rstrip("\n").split("\n")
    cut = lines[-1].rfind(",") + 1
    lines[-1] = lines[-1][:cut] + '"' + lines[-1][cut:]
    path = tmp_path / "damaged" / CNEMC_2022.name
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = Dataset(tmp_path / "store")
    f = ds.ingest(path).files[0]
    assert (f.rows_read, f.rows_stored, f.rows_quarantined) == (637, 636, 1), f
    assert ds.quarantine()["reason"].to_list() == [f"unterminated quote on line {len(lines)}"]
