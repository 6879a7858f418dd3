"""Where lantian keeps its data, and how a deployment overrides it.

Resolution order for every setting: explicit argument (e.g. ``--store``) → environment variable
→ ``lantian.toml`` in the current directory (or the file named by ``LANTIAN_CONFIG``) → default.

==================  ==========================  ===========================================
Setting             Environment variable        Default
==================  ==========================  ===========================================
``data_dir``        ``LANTIAN_HOME``            ``./lantian-data``
``store``           ``LANTIAN_STORE``           ``<data_dir>/store`` (Parquet dataset)
``database_url``    ``LANTIAN_DATABASE_URL``    ``sqlite:///<data_dir>/lantian.db``
==================  ==========================  ===========================================
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from lantian.errors import ConfigError

CONFIG_FILE = "lantian.toml"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    store: Path
    database_url: str
    extra: dict


def _file_settings() -> dict:
    path = Path(os.environ.get("LANTIAN_CONFIG", CONFIG_FILE))
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or remove it.") from exc


def load(store: str | os.PathLike | None = None, database_url: str | None = None) -> Settings:
    """Resolve the settings (see the module docstring for the order)."""
    file = _file_settings()
    data_dir = Path(os.environ.get("LANTIAN_HOME") or file.get("data_dir") or "lantian-data")
    store_path = Path(store or os.environ.get("LANTIAN_STORE") or file.get("store") or data_dir / "store")
    db = (
        database_url
        or os.environ.get("LANTIAN_DATABASE_URL")
        or file.get("database_url")
        or f"sqlite:///{(data_dir / 'lantian.db').as_posix()}"
    )
    return Settings(data_dir=data_dir, store=store_path, database_url=db, extra=file)
