"""The label set, read once from ``configs/labels.yaml`` (the one source)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from extraction.paths import CONFIGS_DIR


@dataclass(frozen=True)
class LabelSet:
    version: int
    quantity: tuple[str, ...]
    summary_keys: dict[str, str]          # label -> narrative.summary key
    statements: tuple[str, ...]           # PROBLEM, REMEDY, OTHER
    statement_record_keys: dict[str, str]  # PROBLEM -> problems, REMEDY -> remedies
    qualifiers: tuple[str, ...]
    narrative_sections: tuple[str, ...]


@lru_cache(maxsize=None)
def load_labels(path: str | Path | None = None) -> LabelSet:
    data = yaml.safe_load(Path(path or CONFIGS_DIR / "labels.yaml").read_text(encoding="utf-8"))
    q = data["quantity_labels"]
    s = data["statement_labels"]
    return LabelSet(
        version=int(data["version"]),
        quantity=tuple(x["name"] for x in q),
        summary_keys={x["name"]: x["summary_key"] for x in q},
        statements=tuple(x["name"] for x in s),
        statement_record_keys={x["name"]: x["record_key"] for x in s if x.get("record_key")},
        qualifiers=tuple(data["qualifiers"]),
        narrative_sections=tuple(data["narrative_sections"]),
    )
