"""The record: one JSON object per input report (``../shared/spec/record.md``).

These pydantic models are the contract; ``nianbao schema`` prints their JSON Schema.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

Status = Literal["ok", "partial", "failed"]
Template = Literal["2021", "2019", "pre2019", "unknown"]
Sector = Literal["medical_security", "health", "other"]
Qualifier = Literal["exact", "at_least", "approx", "at_most"]
SectionName = Literal["overview", "proactive", "requests", "review_litigation", "problems", "other"]
CheckStatus = Literal["pass", "fail", "not_applicable"]

SECTION_NAMES: tuple[str, ...] = ("overview", "proactive", "requests", "review_litigation", "problems", "other")

REQUEST_COLUMNS: tuple[str, ...] = (
    "natural_person", "commercial", "research", "social_welfare", "legal_services", "other_org", "total",
)
REQUEST_ROWS_COMMON: tuple[str, ...] = (
    "new_received", "carried_over", "granted", "partially_granted",
    "denied_state_secret", "denied_law_prohibited", "denied_three_safety", "denied_third_party",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_files", "denied_query_matters",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "rejected_complaint", "rejected_repeat", "rejected_publication", "rejected_excessive", "rejected_confirm",
)
REQUEST_ROWS_OTHER_2021: tuple[str, ...] = ("other_no_correction", "other_no_fee", "other_misc")
REQUEST_ROWS_OTHER_2019: tuple[str, ...] = ("other",)
REQUEST_ROWS_END: tuple[str, ...] = ("total_processed", "carried_forward")
REVIEW_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
REVIEW_FIELDS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")

# Section 二: the rows of each template and the fields of each row.
PROACTIVE_2021: dict[str, tuple[str, ...]] = {
    "regulations": ("made", "repealed", "in_force"),
    "normative_documents": ("made", "repealed", "in_force"),
    "licensing": ("decisions",),
    "punishment": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount_wan_yuan",),
}
PROACTIVE_2019: dict[str, tuple[str, ...]] = {
    "regulations": ("new_made", "new_published", "total_published"),
    "normative_documents": ("new_made", "new_published", "total_published"),
    "licensing": ("prev_items", "change", "decisions"),
    "other_services": ("prev_items", "change", "decisions"),
    "punishment": ("prev_items", "change", "decisions"),
    "coercion": ("prev_items", "change", "decisions"),
    "fees": ("prev_items", "change"),
    "procurement": ("items", "amount"),
}


def request_rows(template: str) -> tuple[str, ...]:
    """The row keys of table 三 for a template (2019 has one 'other' row, 2021 three)."""
    other = REQUEST_ROWS_OTHER_2019 if template == "2019" else REQUEST_ROWS_OTHER_2021
    return REQUEST_ROWS_COMMON + other + REQUEST_ROWS_END


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(_Model):
    path: str
    sha256: str
    format: Literal["txt", "md", "html", "docx", "pdf"] | None = Field(
        description="txt|md|html|docx|pdf; null when the file type is not one of these")
    chars: int = Field(description="characters in the normalised text")


class Issue(_Model):
    code: str
    message: str


class Warning_(_Model):
    model_config = ConfigDict(extra="forbid", title="Warning")
    code: str
    message: str
    where: Optional[str] = Field(default=None, description="section or table cell")


class Meta(_Model):
    agency: Optional[str] = None
    year: Optional[int] = None
    template: Template = "unknown"
    sector: Sector = "other"


class Section(_Model):
    start: int
    end: int
    heading: str


class Sections(_Model):
    overview: Optional[Section] = None
    proactive: Optional[Section] = None
    requests: Optional[Section] = None
    review_litigation: Optional[Section] = None
    problems: Optional[Section] = None
    other: Optional[Section] = None


class Fact(_Model):
    label: str
    text: str
    value: Optional[float | int]
    qualifier: Qualifier
    start: int
    end: int
    section: Optional[SectionName]
    confidence: float


class Summary(_Model):
    posts_total: Optional[float | int] = None
    posts_website: Optional[float | int] = None
    posts_wechat: Optional[float | int] = None
    posts_weibo: Optional[float | int] = None
    posts_newmedia: Optional[float | int] = None
    policy_interpretations: Optional[float | int] = None
    requests_received: Optional[float | int] = None
    hotline_cases: Optional[float | int] = None
    open_day_events: Optional[float | int] = None
    open_day_participants: Optional[float | int] = None
    training_sessions: Optional[float | int] = None
    followers: Optional[float | int] = None


class Statement(_Model):
    text: str
    start: int
    end: int
    confidence: float


class Narrative(_Model):
    facts: list[Fact] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    problems: list[Statement] = Field(default_factory=list)
    remedies: list[Statement] = Field(default_factory=list)


Cell = Optional[float | int]


class Requests(_Model):
    columns: list[str] = Field(default_factory=lambda: list(REQUEST_COLUMNS))
    rows: dict[str, list[Optional[int]]] = Field(default_factory=dict)


class ReviewGroup(_Model):
    upheld: Optional[int] = None
    corrected: Optional[int] = None
    other: Optional[int] = None
    pending: Optional[int] = None
    total: Optional[int] = None


class ReviewLitigation(_Model):
    review: ReviewGroup = Field(default_factory=ReviewGroup)
    litigation_direct: ReviewGroup = Field(default_factory=ReviewGroup)
    litigation_after_review: ReviewGroup = Field(default_factory=ReviewGroup)


class Tables(_Model):
    proactive: dict[str, dict[str, Cell]] = Field(
        default_factory=dict, description="section 二; keys depend on meta.template (record.md)")
    requests: Requests = Field(default_factory=Requests)
    review_litigation: ReviewLitigation = Field(default_factory=ReviewLitigation)


class Check(_Model):
    name: str
    status: CheckStatus
    detail: str = ""


class Record(_Model):
    schema_version: str = SCHEMA_VERSION
    source: Source
    status: Status
    errors: list[Issue] = Field(default_factory=list)
    warnings: list[Warning_] = Field(default_factory=list)
    meta: Meta = Field(default_factory=Meta)
    sections: Sections = Field(default_factory=Sections)
    narrative: Narrative = Field(default_factory=Narrative)
    tables: Tables = Field(default_factory=Tables)
    checks: list[Check] = Field(default_factory=list)


def json_schema() -> dict:
    """The JSON Schema of a record."""
    return Record.model_json_schema()
