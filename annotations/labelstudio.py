"""Label Studio over its SDK (``label-studio-sdk`` 2.x): the connection, the project and
its labeling config, task import with pre-annotations, and export of annotations.

Label Studio counts text positions in UTF-16 code units (JavaScript strings); our texts
count code points (Python ``str``). :class:`Utf16Map` converts between the two, and
every region sent or received is checked: ``text[start:end]`` must equal its text.
"""
from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass
from typing import Any, Iterator

from extraction.labels import LabelSet, load_labels

ENV_URL = "LABEL_STUDIO_URL"
ENV_TOKEN = "LABEL_STUDIO_API_KEY"
DEFAULT_PROJECT = "nianbao narrative"
LABELS_CONTROL = "label"       # the <Labels> tag of the config
QUALIFIER_CONTROL = "qualifier"  # the per-region <Choices> of a quantity's qualifier
TEXT_OBJECT = "text"
IMPORT_BATCH = 200
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class LabelStudioError(RuntimeError):
    """Label Studio cannot be reached or refuses us; the message says what to do."""


class OffsetError(ValueError):
    """A region whose offsets do not point at its text."""


# --- offsets ---------------------------------------------------------------------------
class Utf16Map:
    """Code-point ↔ UTF-16 offsets of one text (characters outside the BMP take two
    UTF-16 units)."""

    def __init__(self, text: str):
        self.text = text
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]          # code points
        self._astral16 = [a + k for k, a in enumerate(self._astral)]        # UTF-16 units

    def to_utf16(self, i: int) -> int:
        """The UTF-16 offset of code-point offset ``i``."""
        if not 0 <= i <= len(self.text):
            raise OffsetError(f"offset {i} outside a text of {len(self.text)} characters")
        return i + bisect.bisect_left(self._astral, i)

    def from_utf16(self, u: int) -> int:
        """The code-point offset of UTF-16 offset ``u``; an offset inside a surrogate pair
        is an error."""
        k = bisect.bisect_right(self._astral16, u - 2)   # astral characters wholly before u
        if k < len(self._astral16) and self._astral16[k] < u:
            raise OffsetError(f"UTF-16 offset {u} splits a character outside the BMP")
        i = u - k
        if not 0 <= i <= len(self.text):
            raise OffsetError(f"UTF-16 offset {u} outside a text of {len(self.text)} characters")
        return i


def check_span(text: str, start: int, end: int, expected: str) -> None:
    """Raise :class:`OffsetError` unless ``text[start:end] == expected``."""
    if not (0 <= start < end <= len(text)) or text[start:end] != expected:
        raise OffsetError(f"[{start}:{end}] is {text[start:end]!r}, the region says {expected!r}")


# --- the labeling config ----------------------------------------------------------------
def span_labels(labels: LabelSet | None = None) -> tuple[str, ...]:
    """The labels annotators draw: the quantity labels and the statements kept in records."""
    labels = labels or load_labels()
    return labels.quantity + tuple(labels.statement_record_keys)


def labeling_config(labels: LabelSet | None = None) -> str:
    """The Label Studio labeling config, generated from ``configs/labels.yaml``."""
    labels = labels or load_labels()
    tags = "\n".join(f'    <Label value="{name}"/>' for name in span_labels(labels))
    choices = "\n".join(f'    <Choice value="{q}"/>' for q in labels.qualifiers)
    return (
        "<View>\n"
        '  <Header value="$doc_id · $section"/>\n'
        f'  <Labels name="{LABELS_CONTROL}" toName="{TEXT_OBJECT}">\n{tags}\n  </Labels>\n'
        f'  <Text name="{TEXT_OBJECT}" value="$text"/>\n'
        f'  <Choices name="{QUALIFIER_CONTROL}" toName="{TEXT_OBJECT}" perRegion="true" '
        'visibleWhen="region-selected" choice="single" showInline="true">\n'
        f"{choices}\n  </Choices>\n"
        "</View>\n"
    )


# --- regions ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    """One labelled span of a task text, in code points."""

    label: str
    start: int
    end: int
    text: str
    qualifier: str | None = None
    score: float | None = None


def to_results(text: str, regions: list[Region]) -> list[dict]:
    """Label Studio ``result`` items (UTF-16 offsets) of ``regions``; each is checked
    against ``text`` before and after conversion."""
    m = Utf16Map(text)
    units = text.encode("utf-16-le")
    out = []
    for i, r in enumerate(regions):
        check_span(text, r.start, r.end, r.text)
        s, e = m.to_utf16(r.start), m.to_utf16(r.end)
        if units[2 * s:2 * e].decode("utf-16-le") != r.text:
            raise OffsetError(f"UTF-16 [{s}:{e}] does not hold {r.text!r}")
        rid = f"r{i}"
        item = {"id": rid, "from_name": LABELS_CONTROL, "to_name": TEXT_OBJECT, "type": "labels",
                "value": {"start": s, "end": e, "text": r.text, "labels": [r.label]}}
        if r.score is not None:
            item["score"] = r.score
        out.append(item)
        if r.qualifier is not None:
            out.append({"id": rid, "from_name": QUALIFIER_CONTROL, "to_name": TEXT_OBJECT, "type": "choices",
                        "value": {"start": s, "end": e, "text": r.text, "choices": [r.qualifier]}})
    return out


@dataclass(frozen=True)
class RegionError:
    """A result item that could not become a :class:`Region`, and why."""

    item: dict
    reason: str


def from_results(text: str, results: list[dict]) -> tuple[list[Region], list[RegionError]]:
    """Regions (code points) of an annotation's ``result`` items, and the items whose
    offsets do not hold their text. Identical regions are kept once."""
    m = Utf16Map(text)
    qualifiers = {r.get("id"): (r.get("value", {}).get("choices") or [None])[0]
                  for r in results if r.get("from_name") == QUALIFIER_CONTROL}
    regions: dict[tuple, Region] = {}
    errors: list[RegionError] = []
    for r in results:
        if r.get("from_name") != LABELS_CONTROL or r.get("type") != "labels":
            continue
        v = r.get("value", {})
        try:
            s, e = m.from_utf16(int(v["start"])), m.from_utf16(int(v["end"]))
        except (KeyError, TypeError, ValueError) as exc:  # OffsetError is a ValueError
            errors.append(RegionError(r, str(exc)))
            continue
        if not s < e or text[s:e] != v.get("text"):
            errors.append(RegionError(r, f"UTF-16 [{v['start']}:{v['end']}] holds {text[s:e]!r}, "
                                         f"the region says {v.get('text')!r}"))
            continue
        for label in v.get("labels", []):
            region = Region(label, s, e, text[s:e], qualifiers.get(r.get("id")))
            regions.setdefault((label, s, e), region)
    return sorted(regions.values(), key=lambda x: (x.start, x.end, x.label)), errors


# --- the connection ----------------------------------------------------------------------
def connect(url: str | None = None, token: str | None = None, timeout: float = 30.0):
    """A ``label_studio_sdk.LabelStudio`` client for ``url``/``token`` (default: the
    ``LABEL_STUDIO_URL``/``LABEL_STUDIO_API_KEY`` environment), checked by one request."""
    import httpx
    from label_studio_sdk import LabelStudio
    from label_studio_sdk.core.api_error import ApiError

    url = url or os.environ.get(ENV_URL)
    token = token or os.environ.get(ENV_TOKEN)
    if not url:
        raise LabelStudioError(f"no Label Studio URL: pass --url or set {ENV_URL} (e.g. http://127.0.0.1:8080)")
    if not token:
        raise LabelStudioError(f"no Label Studio API token: pass --token or set {ENV_TOKEN} "
                               "(Account & Settings → Access Token in Label Studio)")
    url = url.rstrip("/")
    try:
        client = LabelStudio(base_url=url, api_key=token, timeout=timeout)
        client.users.whoami()
    except httpx.TransportError as exc:
        raise LabelStudioError(f"cannot reach Label Studio at {url} ({exc.__class__.__name__}: {exc}); "
                               "is the server running? Start one with `nianbao al serve`") from exc
    except ApiError as exc:
        if exc.status_code in (401, 403):
            raise LabelStudioError(f"Label Studio at {url} rejected the API token (HTTP {exc.status_code}); "
                                   f"check --token / {ENV_TOKEN}") from exc
        raise LabelStudioError(f"{url} does not answer like a Label Studio server "
                               f"(HTTP {exc.status_code} on /api/current-user/whoami)") from exc
    return client


def _api(call, what: str):
    from label_studio_sdk.core.api_error import ApiError

    try:
        return call()
    except ApiError as exc:
        raise LabelStudioError(f"Label Studio refused to {what} (HTTP {exc.status_code}): {exc.body}") from exc


def find_project(client, title: str = DEFAULT_PROJECT) -> int | None:
    """The id of the one project called ``title``, None if there is none."""
    found = [p for p in _api(lambda: list(client.projects.list(title=title)), "list projects") if p.title == title]
    if len(found) > 1:
        raise LabelStudioError(f"{len(found)} projects are called {title!r}; pass --project with a unique title")
    return found[0].id if found else None


def ensure_project(client, title: str = DEFAULT_PROJECT, config: str | None = None) -> int:
    """The id of the project called ``title``, created with ``config`` (default: the
    generated labeling config) if there is none; an existing project whose config
    differs is updated (Label Studio refuses when existing annotations would break)."""
    config = config or labeling_config()
    project_id = find_project(client, title)
    if project_id is None:
        return _api(lambda: client.projects.create(title=title, label_config=config,
                                                   description="nianbao active-learning rounds"),
                    "create the project").id
    if _api(lambda: client.projects.get(id=project_id), "read the project").label_config.strip() != config.strip():
        _api(lambda: client.projects.update(id=project_id, label_config=config), "update the labeling config")
    return project_id


def existing_task_ids(client, project_id: int) -> set[str]:
    """Our task ids (``data.task_id``) already in the project."""
    tasks = _api(lambda: list(client.tasks.list(project=project_id, fields="task_only")), "list tasks")
    return {t.data.get("task_id") for t in tasks if t.data and t.data.get("task_id")}


def import_tasks(client, project_id: int, tasks: list[dict]) -> list[int]:
    """Import ``tasks`` (``{"data": …, "predictions": […]}``) in batches; the Label
    Studio task ids, in order."""
    ids: list[int] = []
    for i in range(0, len(tasks), IMPORT_BATCH):
        batch = tasks[i:i + IMPORT_BATCH]
        resp = _api(lambda: client.projects.import_tasks(id=project_id, request=batch, return_task_ids=True),
                    "import tasks")
        ids += list(resp.task_ids or [])
    return ids


def annotated_tasks(client, project_id: int) -> Iterator[dict[str, Any]]:
    """Every task of the project that has annotations, as plain dicts, each annotation
    with ``annotator`` (the user's e-mail) added."""
    emails: dict[int, str] = {}

    def email(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in emails:
            emails[user_id] = _api(lambda: client.users.get(id=user_id), "read a user").email
        return emails[user_id]

    for task in _api(lambda: list(client.tasks.list(project=project_id, fields="all")), "list tasks"):
        t = task.dict() if hasattr(task, "dict") else dict(task)
        if not t.get("annotations"):
            continue
        for a in t["annotations"]:
            a["annotator"] = email(a.get("completed_by"))
        yield t
