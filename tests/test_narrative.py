"""The shipped narrative model and the shared inference around any backend."""
import pytest

from extraction.ingest import read_document
from extraction.narrative import (
    NarrativeModel, SpanPrediction, candidate_windows, load_narrative_model, regions, summarize,
)
from extraction.paths import MODELS_DIR, SAMPLES_DIR
from extraction.record import Fact, Section, Sections
from extraction.sections import find_sections


@pytest.fixture(scope="module")
def shipped():
    return load_narrative_model()


def test_shipped_model_is_small_and_documented():
    files = [p for p in (MODELS_DIR / "narrative").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 50 * 1024 * 1024
    assert (MODELS_DIR / "README.md").exists()


def test_shipped_model_reads_the_seed_report(shipped):
    doc = read_document(SAMPLES_DIR / "seed-yanchi-ybj-2019.txt")
    sections, _ = find_sections(doc.text)
    narrative, warnings = shipped.extract(doc.text, sections)
    got = {(f.label, f.value) for f in narrative.facts}
    assert ("POSTS_WECHAT", 448) in got
    assert ("POSTS_WEBSITE", 18) in got
    assert ("POSTS_WECHAT", 132) not in got  # 132期: issues are not posts
    for f in narrative.facts:
        assert doc.text[f.start:f.end] == f.text
        assert f.section in ("overview", "proactive", "requests", "problems")
        assert 0 <= f.confidence <= 1
    assert narrative.summary.posts_wechat == 448
    assert len(narrative.problems) >= 3 and len(narrative.remedies) >= 2
    assert all(doc.text[s.start:s.end] == s.text for s in narrative.problems + narrative.remedies)
    assert warnings == []


def test_whole_text_without_sections(shipped):
    text = "据悉，该局微信公众号全年推送文章320篇，门户网站发布信息96条。"
    narrative, warnings = shipped.extract(text, Sections())
    assert [w.code for w in warnings] == ["narrative_whole_text"]
    assert all(f.section is None for f in narrative.facts)
    assert {(f.label, f.value) for f in narrative.facts} >= {("POSTS_WECHAT", 320)}


def test_unknown_backend_is_an_error():
    with pytest.raises(ValueError, match="unknown narrative backend"):
        load_narrative_model(backend="nope")
    with pytest.raises(FileNotFoundError):
        load_narrative_model("/nonexistent/model")


class FixedBackend:
    """A backend that predicts given spans: tests the shared post-processing alone."""

    def __init__(self, spans):
        self.spans = spans

    def predict_spans(self, text, windows):
        return [s for s in self.spans if any(a <= s.start and s.end <= b for a, b in windows)]

    def classify(self, units):
        return [{"PROBLEM": 0.8, "REMEDY": 0.1, "OTHER": 0.1} if "不够" in u.text else
                {"PROBLEM": 0.1, "REMEDY": 0.7, "OTHER": 0.2} for u in units]


def test_shared_post_processing():
    text = "一、总体情况\n全年发布信息近100条，微信推文1.2万篇。\n五、存在的主要问题及改进情况\n一是公开不够及时。二是加强培训。\n"
    s = text.index("近100条") + 1
    w = text.index("1.2万篇")
    spans = [SpanPrediction(s, s + 4, "POSTS_TOTAL", 0.9), SpanPrediction(w, w + 5, "POSTS_WECHAT", 0.8)]
    sections, _ = find_sections(text)
    narrative, _ = NarrativeModel(FixedBackend(spans), "fixed").extract(text, sections)
    facts = {(f.label, f.value, f.qualifier, f.section) for f in narrative.facts}
    assert facts == {("POSTS_TOTAL", 100, "approx", "overview"), ("POSTS_WECHAT", 12000, "exact", "overview")}
    assert [p.text for p in narrative.problems] == ["公开不够及时。"]
    assert [r.text for r in narrative.remedies] == ["加强培训。"]
    assert narrative.problems[0].confidence == 0.8


def test_summary_sums_distinct_values():
    def f(label, value):
        return Fact(label=label, text="x", value=value, qualifier="exact", start=0, end=1, section=None,
                    confidence=1.0)

    s = summarize([f("POSTS_TOTAL", 89), f("POSTS_TOTAL", 89), f("HOTLINE_CASES", 7), f("HOTLINE_CASES", 1)])
    assert s.posts_total == 89 and s.hotline_cases == 8 and s.posts_wechat is None


def test_windows_and_regions():
    text = "一是加强。2019年12月，微信公众号发布132期448篇文章，占比35%。"
    ws = candidate_windows(text)
    assert len(ws) == 1 and "448篇" in text[ws[0][0]:ws[0][1]]
    sections = Sections(overview=Section(start=0, end=5, heading="一是"))
    assert regions(text, sections) == [("overview", 2, 5)]
    assert regions(text, Sections()) == [(None, 0, len(text))]


def test_shipped_tagger_scores_every_label_of_every_candidate(shipped):
    """Facts carry the tagger's probability; the whole distribution is there for
    active learning, ``O`` included."""
    from extraction.values import find_quantities

    text = "本年度，该局微信公众号全年推送文章320篇，门户网站发布信息96条，其中政策解读5条，召开会议3次。"
    qs = find_quantities(text)
    dists = shipped.backend.distributions(text, qs)
    assert len(dists) == len(qs) and all("O" in d for d in dists)
    assert all(abs(sum(d.values()) - 1) < 1e-5 for d in dists)
    best = {q.text: max(d, key=d.get) for q, d in zip(qs, dists)}
    assert best["320篇"] == "POSTS_WECHAT" and best["3次"] == "O"
    narrative, _ = shipped.extract(text, Sections())
    conf = {f.text: f.confidence for f in narrative.facts}
    assert conf["320篇"] == pytest.approx(dists[[q.text for q in qs].index("320篇")]["POSTS_WECHAT"], abs=1e-4)


class SpyTagger(FixedBackend):
    """A candidate classifier that records the candidates it is given."""

    def __init__(self):
        super().__init__([])
        self.seen = []

    def tag_candidates(self, text, quantities):
        self.seen += quantities
        return []


def test_tagger_reads_the_candidates_it_was_trained_on():
    """Inference hands the tagger the very candidates training made examples of: the
    sections' numbers (measured ones only in 二/三), whole, never cut at a window edge."""
    from extraction.quantities import features
    from training.corpus import GoldDoc
    from training.train import TrainSettings, tagger_examples

    doc = read_document(SAMPLES_DIR / "pingtan-2021.txt")
    spy = SpyTagger()
    NarrativeModel(spy, "spy").extract(doc.text, find_sections(doc.text)[0])
    X, y, _ = tagger_examples([GoldDoc("d", [], [], doc.text)], set(), TrainSettings(synthetic_paragraphs=0, negatives=0))
    assert len(spy.seen) == len(X) > 10
    assert [features(doc.text, q) for q in spy.seen] == X and set(y) == {"O"}
    text = "一、总体情况\n本年度发布信息56条，较上年增长了2023年度的百分之十。"
    spy = SpyTagger()
    NarrativeModel(spy, "spy").extract(text, find_sections(text)[0])
    assert [q.text for q in spy.seen] == ["56条"]


def test_tagger_examples_leave_held_out_documents_out():
    from training.corpus import GoldDoc, GoldFact
    from training.train import TrainSettings, tagger_examples

    text = "一、总体情况\n门户网站发布信息96条，微信公众号推送文章320篇。"
    docs = [GoldDoc("a", [GoldFact("POSTS_WEBSITE", "96条", 96, "exact", text.index("96条"), text.index("96条") + 3)],
                    [], text), GoldDoc("b", [], [], text + "召开会议3次。")]
    settings = TrainSettings(synthetic_paragraphs=0, negatives=0, gold_repeat=4)
    X, y, w = tagger_examples(docs, {"b"}, settings)
    assert len(X) == 2 and y == ["POSTS_WEBSITE", "O"] and w == [4.0, 4.0]
    X, y, _ = tagger_examples(docs, set(), settings)
    assert len(X) == 5


def test_shipped_tagger_matches_the_labelling_functions():
    """The shipped tagger was trained with today's labelling functions (their votes are
    features): change them and `nianbao train` must be run again."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_narrative_model()


def test_candidates_in_wan_with_letters_and_not_in_flattened_tables():
    """粉丝数达56万 and 来信87封 are candidates; the numbers of a statistics table
    flattened to text (主动公开信息数 条 425 1516) are not: tables are the table parser's."""
    from extraction.narrative import candidates

    def found(text):
        return [q.text for q in candidates(text, [(None, 0, len(text))])]

    assert found("粉丝数达56万，抖音号粉丝120余万。") == ["56万", "120余万"]
    assert found("回复县长信箱来信87封。") == ["87封"]
    assert found("指标名称 计量单位 2013年度 历年累计 主动公开信息数 条 425 1516 其中：1.网站公开 条 418 1509") == []
    assert found("全年发布信息 458 条，其中政策解读 12 条。") == ["458 条", "12 条"]


def test_realistic_report_set_scores_and_loads(shipped):
    """The independently written realistic report excerpts (annotations/realistic/) pass
    check_gold, and on their test split the shipped model beats the rules, facts and
    statements both well above a floor (floors, not the figures: models/README.md has
    those)."""
    from annotations.check_gold import check_gold
    from extraction.narrative import load_narrative_model
    from extraction.paths import REPO_ROOT
    from training.corpus import load_gold
    from training.evaluate import evaluate_documents
    from training.train import predict_gold

    where = REPO_ROOT / "annotations" / "realistic"
    for split in ("dev", "test", "round2", "statements_dev"):
        assert check_gold(where / f"{split}.jsonl", where / "reports") == []
    docs = load_gold(where / "test.jsonl", where / "reports")
    assert len(docs) == 12 and sum(len(d.facts) for d in docs) > 100
    model = evaluate_documents(docs, predict_gold(shipped, docs))
    rules = evaluate_documents(docs, predict_gold(load_narrative_model(backend="rules"), docs))
    assert model.facts.f1 >= 0.9 and model.facts.f1 > rules.facts.f1
    assert model.statements.f1 >= 0.85


def test_challenge_set_scores_and_loads(shipped):
    """The independent challenge set (annotations/challenge/) loads with its offsets
    checked, and the shipped model stays well above the rules on its test split (a
    floor, not its figure: the figure is in models/README.md)."""
    import sys
    from pathlib import Path

    from extraction.narrative import load_narrative_model
    from training.evaluate import evaluate_documents

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from challenge import CHALLENGE_DIR, load_challenge

    docs = load_challenge(CHALLENGE_DIR / "test.jsonl")
    assert len(docs) > 80 and all(d.text[f.start:f.end] == f.text for d in docs for f in d.facts)
    rules = load_narrative_model(backend="rules")
    model_f1 = evaluate_documents(docs, {d.doc_id: shipped.extract(d.text, None)[0] for d in docs}).facts.f1
    rules_f1 = evaluate_documents(docs, {d.doc_id: rules.extract(d.text, None)[0] for d in docs}).facts.f1
    # the model's margin over the rules here was 0.07 (0.5.0) and is 0.015 since the rules
    # themselves improved (0.842 -> 0.896, model unchanged at 0.911); on the real gold it is 0.16
    assert model_f1 >= 0.85 and model_f1 > rules_f1


def test_hybrid_backend_is_the_models_facts_and_the_rules_statements(shipped):
    """``--backend hybrid``: the facts of the spaCy model, the statements of the rules."""
    from extraction.narrative import load_narrative_model
    from extraction.paths import REPO_ROOT
    from training.corpus import sections_of

    text = (REPO_ROOT / "annotations" / "realistic" / "reports" / "rdev-04.txt").read_text(encoding="utf-8")
    sections = sections_of(text)
    hybrid, _ = load_narrative_model(backend="hybrid").extract(text, sections)
    model, _ = shipped.extract(text, sections)
    rules, _ = load_narrative_model(backend="rules").extract(text, sections)
    assert hybrid.facts == model.facts and hybrid.facts
    assert hybrid.problems == rules.problems and hybrid.remedies == rules.remedies
    assert hybrid.problems and hybrid.remedies
    assert (hybrid.problems, hybrid.remedies) != (model.problems, model.remedies)
    assert load_narrative_model(backend="hybrid").name.endswith("+statement-rules")
