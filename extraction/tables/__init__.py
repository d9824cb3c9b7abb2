"""Tables 二, 三 and 四 of a report, read from its normalised text in any layout."""
from __future__ import annotations

from typing import Optional

from extraction.record import (REQUEST_COLUMNS, Requests, ReviewGroup, ReviewLitigation, Sections, Tables,
                               Warning_)
from extraction.tables import regions
from extraction.tables.layout import rows_of
from extraction.tables.priors import SplitPriors
from extraction.tables.proactive import parse_proactive
from extraction.tables.requests import empty_rows, parse_requests
from extraction.tables.review import parse_review

__all__ = ["parse_tables", "SplitPriors"]

_NEW_TEMPLATES = ("2021", "2019")


def parse_tables(text: str, sections: Optional[Sections], template: str,
                 priors: SplitPriors = SplitPriors()) -> tuple[Tables, list[Warning_]]:
    """Tables 二/三/四 of ``text`` under ``template`` (record.md keys), and warnings.

    Reports in the old free format (pre2019) or of no known template get empty tables 二
    and 三 and a warning: record.md defines no keys for their statistics tables.
    """
    warnings: list[Warning_] = []
    if template not in _NEW_TEMPLATES:
        warnings.append(Warning_(code="template_tables_unsupported",
                                 message=f"tables of the {template} template are not read",
                                 where="tables"))
        return Tables(), warnings
    req_span = regions.requests_span(text, sections)
    pro_span = regions.proactive_span(text, sections, req_span)
    rev_span = regions.review_span(text, sections, req_span)

    requests = Requests(rows=empty_rows(template))
    run_together = False
    if req_span is None:
        warnings.append(Warning_(code="table_missing", message="table 三 (requests) not found",
                                 where="tables.requests"))
    else:
        rows, stream = rows_of(text[req_span[0]:req_span[1]])
        req_rows, w, run_together = parse_requests(rows, stream, template)
        warnings += w
        requests = Requests(columns=list(REQUEST_COLUMNS), rows=req_rows)

    proactive: dict = {}
    if pro_span is None:
        warnings.append(Warning_(code="table_missing", message="table 二 (proactive) not found",
                                 where="tables.proactive"))
    else:
        rows, stream = rows_of(text[pro_span[0]:pro_span[1]])
        prose = text[:pro_span[0]] + text[rev_span[1] if rev_span else pro_span[1]:]
        proactive, w = parse_proactive(rows, stream, template, run_together, priors, prose)
        warnings += w

    review = ReviewLitigation()
    if rev_span is None:
        warnings.append(Warning_(code="table_missing", message="table 四 (review/litigation) not found",
                                 where="tables.review_litigation"))
    else:
        rows, _ = rows_of(text[rev_span[0]:rev_span[1]])
        groups, w = parse_review(rows, run_together)
        warnings += w
        review = ReviewLitigation(**{g: ReviewGroup(**v) for g, v in groups.items()})
    return Tables(proactive=proactive, requests=requests, review_litigation=review), warnings
