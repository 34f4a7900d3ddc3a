"""DeskSnapshot <-> JSON, for the attach protocol. Dataclasses become objects, enums their
values, tuples lists; decoding rebuilds the same frozen values from the type hints."""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any, get_args, get_origin, get_type_hints

from terminal.snapshot import DeskSnapshot

_PLAIN = (str, int, float, bool, type(None))


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type (None for any other type), worked out once."""
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = None
        if dataclasses.is_dataclass(cls):
            names = tuple(f.name for f in dataclasses.fields(cls))
        _FIELD_NAMES[cls] = names
        return names


def to_json(value: Any) -> Any:
    """A JSON-safe copy of a snapshot (or any value inside one)."""
    cls = type(value)
    if cls in _PLAIN:  # most values: returned as they are, before any other test
        return value
    names = None if isinstance(value, type) else _field_names(cls)
    if names is not None:
        return {name: to_json(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


@functools.cache
def _hints(tp: type) -> dict[str, Any]:
    """A dataclass's resolved field types: worked out once per class, not once per value."""
    return get_type_hints(tp)


def _decode(tp: Any, data: Any) -> Any:
    if type(data) is tp and tp in _PLAIN:  # most values: a str, int or bool where one is due
        return data
    origin = get_origin(tp)
    if tp is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in get_args(tp):
            return None
        errors = []
        for option in get_args(tp):
            if option is type(None):
                continue
            try:
                return _decode(option, data)
            except (TypeError, ValueError, KeyError) as exc:
                errors.append(str(exc))
        raise ValueError(f"{data!r} fits none of {tp}: {errors}")
    if origin is typing.Literal:
        if data not in get_args(tp):
            raise ValueError(f"{data!r} is not one of {get_args(tp)}")
        return data
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in _as_list(data))
        return tuple(_decode(a, v) for a, v in zip(args, _as_list(data), strict=True))
    if origin is dict:
        key_t, val_t = get_args(tp)
        if not isinstance(data, dict):
            raise TypeError(f"expected an object, got {type(data).__name__}")
        return {_decode(key_t, k): _decode(val_t, v) for k, v in data.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(data)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {tp.__name__}")
        hints = _hints(tp)
        kwargs = {
            f.name: _decode(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.name in data
        }
        return tp(**kwargs)
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise TypeError(f"expected a number, got {data!r}")
        return float(data)
    if isinstance(tp, type):
        if not isinstance(data, tp) or (tp is int and isinstance(data, bool)):
            raise TypeError(f"expected {tp.__name__}, got {data!r}")
        return data
    raise TypeError(f"cannot decode {tp}")


def _as_list(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(f"expected a list, got {type(data).__name__}")
    return data


def snapshot_from_json(data: Any) -> DeskSnapshot:
    """Rebuild a snapshot; raises ValueError/TypeError on anything malformed."""
    result = _decode(DeskSnapshot, data)
    assert isinstance(result, DeskSnapshot)
    return result
