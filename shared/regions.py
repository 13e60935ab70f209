"""Kalimantan Selatan's administrative areas with their Kemendagri codes, read once from shared/seed/ (MIT)."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parent / "seed" / "wilayah-kalsel.csv"


@dataclass(frozen=True)
class Area:
    code: str
    parent_code: str | None
    level: str
    name: str


@cache
def all_areas() -> dict[str, Area]:
    """Return every area keyed by code, in file order."""
    with SEED_FILE.open(newline="", encoding="utf-8") as handle:
        return {
            row["kode"]: Area(row["kode"], row["induk"] or None, row["tingkat"], row["nama"])
            for row in csv.DictReader(handle)
        }


def kabupaten() -> list[Area]:
    """Return the 13 kabupaten/kota."""
    return [area for area in all_areas().values() if area.level == "kabupaten_kota"]


def children(code: str) -> list[Area]:
    """Return the areas directly under `code`, sorted by name."""
    return sorted((a for a in all_areas().values() if a.parent_code == code), key=lambda a: a.name)


def is_child(code: str | None, parent_code: str) -> bool:
    area = all_areas().get(code or "")
    return area is not None and area.parent_code == parent_code


def name_of(code: str) -> str:
    area = all_areas().get(code)
    return area.name if area else code
