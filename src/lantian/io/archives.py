"""Zip archives as the platform's mirrors publish them, read member by member without unpacking.

The mirrors of the national platform's releases publish the station files of a period as one zip
archive, e.g. ``站点_20220101-20220107.zip`` holding ``china_sites_20220101.csv`` … (one file per
day, possibly in a folder inside the archive). ``lantian ingest ARCHIVE.zip`` reads each member
straight from the archive: its bytes are decompressed in memory and handed to the same reader
detection and the same per-file accounting as a file on disk (:mod:`lantian.io.dataset`). A member
is named ``ARCHIVE.zip/MEMBER`` in the ingest report, the ingest log and the ``source`` column.

Rules
-----
- Members whose names end in a data suffix (``.csv``, ``.csv.gz``, ``.gz``, ``.parquet``, ``.txt``)
  are read, in name order; folders and other members (``__MACOSX/…``, notes) are listed as skipped.
- The input limits (:mod:`lantian.io.limits`) apply to each member: the size it decompresses to
  (``ingest.max_decompressed_mib``) and, past 16 MiB, its ratio to its compressed size
  (``ingest.max_gzip_ratio``), checked on the declared size and again while decompressing.
- A damaged member (bad CRC, corrupt deflate data, encrypted, unknown compression) is refused with
  its name and the reason; the other members are read. An archive whose directory cannot be read
  at all is one refused entry.
- Names stored without the zip UTF-8 flag are decoded as GB18030 when they are not plain ASCII
  (archives made on Chinese Windows); path parts ``..`` and leading ``/`` are dropped.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lantian.errors import InputError
from lantian.io import limits

ARCHIVE_SUFFIXES = (".zip",)
_CHUNK = 1 << 20
_UTF8_FLAG = 0x800


@dataclass(frozen=True)
class Member:
    """One data file inside a zip archive."""

    archive: Path
    name: str  # the member's name, decoded (see the module Rules)
    info: zipfile.ZipInfo

    @property
    def path(self) -> Path:
        """The name the member goes by: ``ARCHIVE.zip/MEMBER`` (no such file exists on disk)."""
        return self.archive.joinpath(*PurePosixPath(self.name).parts)

    @property
    def fingerprint(self) -> str:
        """A stable hash of what the archive's directory says of the member (name, CRC, sizes), for
        records of a member whose content cannot be read."""
        text = f"{self.name}\0{self.info.CRC}\0{self.info.compress_size}\0{self.info.file_size}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Broken:
    """An archive whose directory cannot be read: one refused entry."""

    path: Path
    message: str


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its maker wrote it, cleaned of ``..`` and leading ``/``."""
    name = info.filename
    if not info.flag_bits & _UTF8_FLAG and not name.isascii():
        try:
            name = name.encode("cp437").decode("gb18030")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("/", "..", ".")]
    return "/".join(parts)


def members(archive: Path, suffixes: tuple[str, ...]) -> tuple[list[Member], list[str]] | Broken:
    """The data members of ``archive`` (name order) and the names of the members skipped, or
    :class:`Broken` when the archive's directory cannot be read."""
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return Broken(
            archive,
            f"{archive.name}：不是可读的 zip 压缩包（{exc}）：其中的文件均未导入；请重新下载完整的压缩包后再导入",
        )
    found, skipped = [], []
    for info in infos:
        if info.is_dir():
            continue
        name = member_name(info)
        if not name:
            continue
        member = Member(archive, name, info)
        hidden = any(p.startswith(("__MACOSX", ".")) for p in PurePosixPath(name).parts)
        if hidden or not name.lower().endswith(suffixes):
            skipped.append(str(member.path))
        else:
            found.append(member)
    found.sort(key=lambda m: m.name)
    return found, skipped


def read_member(member: Member) -> bytes:
    """The decompressed bytes of a member, within the input limits; a damaged or oversized member
    raises :class:`~lantian.errors.InputError` naming it."""
    lim = limits.in_force()
    info = member.info
    where = f"压缩包 {member.archive.name} 中的 {member.name}"

    def too_big(size: int) -> InputError:
        return InputError(
            f"{where} 解压后超过 {size // 1024**2} MiB（压缩后 {info.compress_size} 字节，"
            f"上限 {lim.max_decompressed_bytes // 1024**2} MiB、压缩比 {lim.max_ratio} 倍；"
            "设置 ingest.max_decompressed_mib、ingest.max_gzip_ratio）：这不是监测数据文件，未导入；请核对文件来源"
        )

    def over(size: int) -> bool:
        return size > lim.max_decompressed_bytes or (
            size > limits.RATIO_FROM_BYTES and size > lim.max_ratio * max(info.compress_size, 1)
        )

    if over(info.file_size):
        raise too_big(info.file_size)
    chunks, size = [], 0
    try:
        with zipfile.ZipFile(member.archive) as zf, zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if over(size):
                    raise too_big(size)
                chunks.append(chunk)
    except InputError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise InputError(
            f"{where} 已损坏（{exc}）：该文件未导入，压缩包中其余文件照常导入；请取得完好的压缩包后重新导入"
        ) from exc
    except (NotImplementedError, RuntimeError) as exc:  # unknown compression method, encrypted member
        raise InputError(
            f"{where} 无法解压（{exc}）：该文件未导入；请用不加密的 zip（deflate）重新打包后导入"
        ) from exc
    return b"".join(chunks)


__all__ = ["ARCHIVE_SUFFIXES", "Broken", "Member", "is_archive", "member_name", "members", "read_member"]
