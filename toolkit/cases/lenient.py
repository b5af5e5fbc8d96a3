"""Builds a case object from data that failed validation, so the reference rules can still run.

Authors fix files faster when one pass lists every problem: shape errors from pydantic *and*
broken references. A field with the wrong shape becomes its empty default here; the shape
error itself is already reported, so the rules' findings under it are dropped by the loader.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

from pydantic import BaseModel


def lenient(cls: type[BaseModel], raw: Any) -> BaseModel:
    """``cls.model_construct`` over ``raw`` with every field coerced to a usable default."""
    raw = raw if isinstance(raw, dict) else {}
    values = {
        name: _coerce(field.annotation, raw.get(name), field.default)
        for name, field in cls.model_fields.items()
    }
    return cls.model_construct(**values)


def _coerce(annotation: Any, value: Any, default: Any = None) -> Any:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _coerce(args[0], value, default)
    if origin in (typing.Union, types.UnionType):
        return _union(args, value, default)
    if origin is list:
        return [_coerce(args[0], item) for item in value] if isinstance(value, list) else []
    if origin is dict:
        if not isinstance(value, dict):
            return {}
        return {str(k): _coerce(args[1], v) if args else v for k, v in value.items()}
    if origin is typing.Literal:
        return value if value in args else _fallback(default, "")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # A list item of the wrong shape (`decisions: [null]`) becomes an empty record, not
        # None, so the rules can walk every item; its shape error is reported already.
        return lenient(annotation, value)
    return _scalar(annotation, value, default)


def _union(args: tuple, value: Any, default: Any) -> Any:
    models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
    if models and isinstance(value, dict):
        return lenient(models[0], value)
    if value is None:
        return None if type(None) in args else _fallback(default, None)
    for arg in args:
        if arg is not type(None) and not (isinstance(arg, type) and issubclass(arg, BaseModel)):
            return _coerce(arg, value, default)
    return None


def _scalar(annotation: Any, value: Any, default: Any) -> Any:
    if annotation is str:
        return str(value) if isinstance(value, str | int | float) else _fallback(default, "")
    if annotation in (int, float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return value if ok else _fallback(default, 0)
    if annotation is bool:
        return value if isinstance(value, bool) else _fallback(default, False)
    if annotation in (dt.date, dt.datetime):
        return value if isinstance(value, dt.date) else None
    return value if value is not None else _fallback(default, None)


def _fallback(default: Any, empty: Any) -> Any:
    from pydantic_core import PydanticUndefined

    return empty if default is PydanticUndefined or default is None else default
