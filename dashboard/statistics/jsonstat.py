"""Reading a JSON-stat 2.0 dataset (the format of SSB's PxWebApi v2) into a long table.

The text is first checked against JSON-stat's own schema (the JSON-stat 2.0 Dataset Schema from
json-stat.org, in this folder) with jsonschema, then against what the schema cannot say: as many
sizes as dimension ids, each dimension's categories as many as its size, as many values as the
sizes multiply to. No kept reader fits: pyjstat drops the status of each value and jsonstat.py
needs pandas 0.20, so the cells are laid out here by the specification's rule (row-major: the
last dimension changes fastest).

The result has one row per cell: a column per dimension (its category ids, in the dataset's
order), `value` (a number, or None: JSON-stat's null) and `status` (the cell's status text, or
None). A status given as one string or a one-item array holds for every cell, as the
specification says; an object gives it cell by cell.
"""

import itertools
import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd

SCHEMA = Path(__file__).with_name("jsonstat-2.0-dataset.schema.json")
# a dataset of more cells is refused rather than laid out in memory: a file of a few KB can
# name dimensions of millions of cells (2,000,000 took 771 MB to read); 600,000 holds every
# municipality × both genders and their total × 20 age groups × 30 years
MAX_CELLS = 600_000


class JsonStatRefused(ValueError):
    """The text is not a JSON-stat 2.0 dataset this reader can use; code names why."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(f"{code}: {values}" if values else code)
        self.code = code
        self.values = values


@dataclass
class Dimension:
    """One dimension: its id, label, category ids in order, and their labels."""

    id: str
    label: str
    codes: list[str]
    labels: dict[str, str] = field(default_factory=dict)

    def label_of(self, code: str) -> str:
        return self.labels.get(code, code)


@dataclass
class Dataset:
    """A JSON-stat dataset: its dimensions, their roles, and every cell as a row of frame."""

    label: str | None
    source: str | None
    updated: str | None
    dimensions: list[Dimension]
    roles: dict[str, list[str]]  # time, geo, metric -> dimension ids
    frame: pd.DataFrame  # one column per dimension id, then value and status
    extension: dict[str, Any] = field(default_factory=dict)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(data: bytes | str) -> Any:
    """The JSON text as Python objects; JsonStatRefused("not_json") when it is not JSON: also
    NaN and Infinity, which Python reads and JSON has not (never a number), and a text nested
    deeper than Python recurses."""
    try:
        return json.loads(data, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise JsonStatRefused("not_json") from exc


def read_jsonstat(data: bytes | str | dict[str, Any]) -> Dataset:
    """The dataset in data (JSON text or parsed); raises JsonStatRefused naming the problem."""
    document = data if isinstance(data, dict) else parse_json(data)
    if not isinstance(document, dict):
        raise JsonStatRefused("not_dataset")
    if document.get("class") != "dataset" or document.get("version") != "2.0":
        # a JSON-stat 1.0 bundle, a collection or a dimension is not one dataset
        raise JsonStatRefused("not_dataset")
    error = jsonschema.exceptions.best_match(_validator().iter_errors(_sampled(document)))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "-"
        raise JsonStatRefused("schema", where=where, detail=error.message[:200])
    ids: list[str] = document["id"]
    sizes: list[int] = document["size"]
    if len(ids) != len(sizes) or len(set(ids)) != len(ids):
        raise JsonStatRefused("sizes", ids=len(ids), sizes=len(sizes))
    dimensions = [
        _dimension(i, document["dimension"].get(i), n) for i, n in zip(ids, sizes, strict=True)
    ]
    cells = math.prod(sizes)
    if cells > MAX_CELLS:
        raise JsonStatRefused("too_many_cells", cells=cells, max=MAX_CELLS)
    values = _cell_list(document["value"], cells, "value")
    statuses = _cell_list(document.get("status"), cells, "status")
    rows = itertools.product(*(d.codes for d in dimensions))
    frame = pd.DataFrame(list(rows), columns=ids, dtype=object)
    frame["value"] = pd.Series(values, dtype=object)
    frame["status"] = pd.Series(statuses, dtype=object)
    roles = document.get("role") or {}
    return Dataset(
        label=document.get("label"),
        source=document.get("source"),
        updated=document.get("updated"),
        dimensions=dimensions,
        roles={role: list(roles.get(role) or []) for role in ("time", "geo", "metric")},
        frame=frame,
        extension=document.get("extension") or {},
    )


def _sampled(document: dict[str, Any]) -> dict[str, Any]:
    """The document as the schema checks it: a long value or status array stands in as its
    first item when every item is of a type the schema allows there (checked here, in one
    pass: the schema's check of a large county file's 28,000 values took seconds); else as
    it is, so the schema names the item that is wrong."""
    sampled = dict(document)
    for key, allowed in (("value", (int, float, str, type(None))), ("status", (str,))):
        items = document.get(key)
        if (
            isinstance(items, list)
            and len(items) > 1
            and all(isinstance(item, allowed) and not isinstance(item, bool) for item in items)
        ):
            sampled[key] = items[:1]
    return sampled


def _dimension(dimension_id: str, raw: Any, size: int) -> Dimension:
    """A dimension's categories in order: from its index (an array, or an object of
    positions), or, for a dimension of one category, from its only label."""
    if not isinstance(raw, dict):
        raise JsonStatRefused("no_dimension", dimension=dimension_id)
    category = raw.get("category") or {}
    index, labels = category.get("index"), category.get("label") or {}
    if isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        codes = [str(code) for code, _ in sorted(index.items(), key=lambda item: item[1])]
        if sorted(index.values()) != list(range(len(index))):
            raise JsonStatRefused("index", dimension=dimension_id)
    elif len(labels) == 1:  # the specification allows no index for one category
        codes = [str(next(iter(labels)))]
    else:
        raise JsonStatRefused("index", dimension=dimension_id)
    if len(codes) != size or len(set(codes)) != len(codes):
        raise JsonStatRefused("categories", dimension=dimension_id, count=len(codes), size=size)
    return Dimension(
        id=dimension_id,
        label=str(raw.get("label") or dimension_id),
        codes=codes,
        labels={str(k): str(v) for k, v in labels.items()},
    )


def _cell_list(raw: Any, cells: int, what: str) -> list[Any]:
    """value or status as one entry per cell (None where the dataset gives none)."""
    if raw is None:
        return [None] * cells
    if isinstance(raw, str):  # one status for every cell
        return [raw] * cells
    if isinstance(raw, list):
        if what == "status" and len(raw) == 1:  # likewise
            return raw * cells
        if len(raw) != cells:
            raise JsonStatRefused("value_count", what=what, count=len(raw), cells=cells)
        return list(raw)
    found: list[Any] = [None] * cells  # an object: only the cells it names
    for position, item in raw.items():
        if not position.isdigit() or int(position) >= cells:
            raise JsonStatRefused("value_position", what=what, position=position[:20])
        found[int(position)] = item
    return found
