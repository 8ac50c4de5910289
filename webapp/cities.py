"""Which city's seed data to use: KYODO_CITY names a folder under seed_data/cities."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import seed_data


@dataclass(frozen=True)
class City:
    key: str
    code: str
    name: str
    name_kana: str
    prefecture: str
    districts: tuple[str, ...]
    directory: Path

    @property
    def demo_directory(self) -> Path:
        return self.directory / "demo"


def cities_directory() -> Path:
    return Path(str(seed_data.root())) / "cities"


def available_cities() -> list[City]:
    found = []
    for city_json in sorted(cities_directory().glob("*/city.json")):
        data = json.loads(city_json.read_text(encoding="utf-8"))
        found.append(
            City(
                key=data["key"],
                code=str(data["code"]),
                name=data["name"],
                name_kana=data.get("name_kana", ""),
                prefecture=data.get("prefecture", ""),
                districts=tuple(data.get("districts", [])),
                directory=city_json.parent,
            )
        )
    return found


def resolve_city(wanted: str) -> City:
    """The city whose folder name, name or code is ``wanted``; ValueError lists the choices."""
    cities = available_cities()
    for city in cities:
        if wanted in (city.key, city.name, city.code):
            return city
    names = ", ".join(f"{c.name} ({c.key})" for c in cities) or "none"
    raise ValueError(f"KYODO_CITY={wanted!r} is not in seed_data/cities (available: {names})")
