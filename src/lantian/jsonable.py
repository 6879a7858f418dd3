"""The one JSON form of every result: what ``--json``, the API, the dashboard's JSON twins and the
reports' embedded data print.

- floats as the decimals they stand for (results are exact to 10⁻⁹, :mod:`lantian.calc.rounding`);
  NaN and infinities as ``null``;
- dates as ``YYYY-MM-DD``, times as ``YYYY-MM-DDTHH:MM:SS`` (Beijing time, naive, :mod:`lantian.schema`);
- dataclasses (and objects with ``to_dict()``) as objects; tuples and sets as arrays; paths and
  decimals as text and numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import PurePath
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON values (see the module docstring)."""
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return round(obj, 9) if math.isfinite(obj) else None
    if isinstance(obj, dt.datetime):
        return obj.isoformat(timespec="seconds")
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj, key=str) if isinstance(obj, set | frozenset) else obj
        return [to_jsonable(v) for v in items]
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})
    if isinstance(obj, Decimal):
        return to_jsonable(float(obj))
    if isinstance(obj, PurePath):
        return str(obj)
    if isinstance(obj, dt.time | dt.timedelta):
        return str(obj)
    raise TypeError(f"no JSON form for {type(obj).__name__}")


def dumps(obj: Any, indent: int | None = 2, ensure_ascii: bool = False) -> str:
    """JSON text of ``obj``: UTF-8 characters kept, or escaped as ``\\uXXXX`` with ``ensure_ascii``
    (for files written without a declared encoding)."""
    return json.dumps(to_jsonable(obj), ensure_ascii=ensure_ascii, indent=indent)
