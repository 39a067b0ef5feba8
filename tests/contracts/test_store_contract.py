"""What every PracticeStore backend must do, checked through the protocol only."""

from __future__ import annotations

import numpy as np
import pytest

from catalogue.errors import PracticeNotFound
from catalogue.model import Practice, parse_practice
from catalogue.store import FACET_KINDS, Filters, PracticeStore, make_filters
from catalogue.text import analyze
from tests.conftest import SAMPLE


def _practices() -> list[Practice]:
    return [parse_practice(dict(d)) for d in SAMPLE]


@pytest.fixture
def filled(contract_store: PracticeStore) -> PracticeStore:
    contract_store.upsert_many(_practices())
    return contract_store


def test_round_trip_keeps_every_field_and_dates_the_record(contract_store):
    practices = _practices()
    result = contract_store.upsert_many(practices)
    assert sorted(result.added) == sorted(p.id for p in practices)
    for p in practices:
        got = contract_store.get(p.id)
        assert got.model_dump(exclude={"created", "updated"}) == p.model_dump(exclude={"created", "updated"})
        assert got.created is not None and got.updated is not None
        assert contract_store.exists(p.id)
    assert not contract_store.exists("bestaat-niet")


def test_upsert_again_is_unchanged_and_an_edit_is_an_update(filled):
    practices = _practices()
    again = filled.upsert_many(practices)
    assert (again.added, again.updated, len(again.unchanged)) == ([], [], len(practices))
    edited = practices[0].model_copy(update={"summary": "Een heel andere samenvatting van dit project."})
    assert filled.upsert_many([edited]).updated == [edited.id]
    assert filled.get(edited.id).summary.startswith("Een heel andere")


def test_dry_run_and_a_failed_batch_write_nothing(contract_store):
    practices = _practices()
    preview = contract_store.upsert_many(practices, dry_run=True)
    assert len(preview.added) == len(practices) and contract_store.count() == 0
    with pytest.raises(RuntimeError), contract_store.transaction():
        contract_store.upsert_many(practices[:2])
        raise RuntimeError("crash in the middle of a batch")
    assert contract_store.count() == 0


def test_a_rid_is_stable_and_never_reused(filled):
    rid = filled.rid_of("taalcafe-gent")
    assert filled.delete("taalcafe-gent") == rid
    filled.upsert_many([parse_practice(dict(SAMPLE[0]))])
    assert filled.rid_of("taalcafe-gent") > rid


def test_unknown_ids_are_not_found(filled):
    for read in (filled.get, filled.rid_of, filled.delete):
        with pytest.raises(PracticeNotFound):
            read("bestaat-niet")


def test_get_many_gives_copies_and_leaves_unknown_rids_out(filled):
    rid = filled.rid_of("taalcafe-gent")
    got = filled.get_many([rid, 10_000])
    assert list(got) == [rid]
    got[rid].title = "Veranderd in het geheugen"
    assert filled.get_many([rid])[rid].title == SAMPLE[0]["title"]


def test_filters_are_or_within_a_kind_and_and_across_kinds(filled):
    def ids(filters: Filters) -> set[str]:
        return {p.id for p in filled.list_practices(filters)}

    either = make_filters(region=["Oost-Vlaanderen", "antwerpen"])
    assert ids(either) == {"taalcafe-gent", "buurtrestaurant-antwerpen"}
    both = make_filters(region=["Oost-Vlaanderen", "antwerpen"], krachtlijn=["verbindend"])
    assert ids(both) == {"taalcafe-gent"}
    assert filled.count(both) == 1 == len(filled.filter_rids(both))
    assert ids(make_filters(theme=["taal"])) == {"taalcafe-gent"}


def test_lists_are_by_title_with_limit_and_offset(filled):
    titles = [p.title for p in filled.list_practices(make_filters())]
    assert titles == sorted(titles, key=str.lower)
    page = filled.list_practices(make_filters(), limit=2, offset=1)
    assert [p.title for p in page] == titles[1:3]
    by_title = filled.filter_rids(make_filters(), by_title=True)
    assert [filled.get_many([r])[r].title for r in by_title] == titles


def test_drafts_are_kept_out_of_published_reads(filled):
    draft = parse_practice({**SAMPLE[0], "id": "klad", "status": "draft"})
    filled.upsert_many([draft])
    rid = filled.rid_of("klad")
    assert "klad" not in {p.id for p in filled.list_practices(make_filters())}
    assert rid in filled.filter_rids(make_filters(status=["draft"]))
    assert rid not in {e.rid for e in filled.index_entries()}
    assert filled.count() == len(SAMPLE) + 1 and filled.count(make_filters()) == len(SAMPLE)


def test_index_entries_name_every_published_practice_with_its_content_hash(filled):
    entries = {e.rid: e.content_hash for e in filled.index_entries()}
    assert entries == {filled.rid_of(p.id): p.content_hash() for p in _practices()}


def test_facet_counts_equal_counting_by_hand(filled):
    rids = filled.filter_rids(make_filters())
    counts = filled.facet_counts(rids)
    practices = filled.get_many(rids).values()
    for kind, field in (("krachtlijn", "krachtlijnen"), ("region", "region"), ("sector", "sectors")):
        expected: dict[str, int] = {}
        for p in practices:
            values = getattr(p, field)
            for value in [values] if isinstance(values, str) else values:
                expected[value] = expected.get(value, 0) + 1
        assert counts[kind] == expected
    assert set(filled.tag_counts(make_filters())) == set(FACET_KINDS)
    assert filled.tag_counts(make_filters(region=["antwerpen"]))["region"] == {"antwerpen": 1}


def test_keyword_scores_use_dutch_stems_and_fold_accents(filled):
    rids, scores = filled.fts_scores(analyze("vrijwilliger oefende taalcafe"), make_filters(), limit=10)
    assert rids[0] == filled.rid_of("taalcafe-gent")
    assert np.all(np.diff(scores) <= 0) and scores[0] > 0
    none = filled.fts_scores([], make_filters(), limit=10)
    assert len(none[0]) == 0 == len(none[1])


def test_keyword_scores_keep_to_filters_candidates_and_limit(filled):
    terms = analyze("hulp jongeren woning maaltijd")
    limburg = make_filters(region=["limburg"])
    rids, _ = filled.fts_scores(terms, limburg, limit=10)
    assert set(rids.tolist()) <= set(filled.filter_rids(limburg))
    allowed = filled.filter_rids(make_filters(region=["brussel", "vlaams-brabant"]))
    rids, _ = filled.fts_scores(terms, make_filters(), limit=10, rids=allowed)
    assert set(rids.tolist()) <= set(allowed) and len(rids) > 0
    assert len(filled.fts_scores(terms, make_filters(), limit=1)[0]) == 1


def test_term_statistics_and_the_spellers_words(filled):
    n, df = filled.term_frequencies(analyze("jongeren nieuwkomers"))
    assert n == len(SAMPLE) and all(v >= 1 for v in df.values())
    words = filled.word_counts()
    assert words.get("nieuwkomers", 0) >= 1


def test_writes_of_another_connection_are_seen(filled, open_backend_store):
    filled.warm()
    before = filled.facet_counts(filled.filter_rids(make_filters()))
    other = open_backend_store()
    other.upsert_many([parse_practice({**SAMPLE[1], "id": "tweede-restaurant"})])
    assert filled.exists("tweede-restaurant")
    after = filled.facet_counts(filled.filter_rids(make_filters()))
    assert after["region"]["antwerpen"] == before["region"]["antwerpen"] + 1
    terms = analyze("goedkope warme maaltijd")
    assert filled.rid_of("tweede-restaurant") in filled.fts_scores(terms, make_filters(), limit=10)[0]


def test_the_version_moves_with_every_commit_of_any_connection(filled, open_backend_store):
    start = filled.version()
    filled.count()
    assert filled.version() == start  # reads move nothing
    filled.upsert_many([parse_practice({**SAMPLE[1], "id": "derde-restaurant"})])
    mine = filled.version()
    assert mine != start
    other = open_backend_store()
    other.delete("derde-restaurant")
    assert filled.version() not in (start, mine)


def test_a_sound_store_reports_no_problems_and_rebuilds_its_derived_data(filled):
    assert filled.bad_rows() == {} and filled.derived_problems() == []
    assert filled.read_only_reason() is None
    assert filled.rebuild_derived() == len(SAMPLE)
    assert filled.rebuild_fts() == len(SAMPLE)
    assert sorted(filled.fts_rowids()) == sorted(filled.filter_rids(Filters(status=())))


def test_backup_and_restore_bring_the_catalogue_back(filled, tmp_path):
    assert filled.backup(tmp_path / "backup.db") == len(SAMPLE)
    filled.delete("taalcafe-gent")
    restored = filled.restore(tmp_path / "backup.db")
    assert restored.practices == len(SAMPLE) and filled.exists("taalcafe-gent")


def test_warm_builds_the_read_views(filled):
    filled.warm()
    assert filled.is_warm()


def test_an_id_twice_in_one_batch_is_written_in_order(contract_store):
    first = _practices()[0]
    edited = first.model_copy(update={"summary": "De tweede versie in dezelfde batch wint."})
    result = contract_store.upsert_many([first, first, edited])
    assert (result.added, result.unchanged, result.updated) == ([first.id], [first.id], [first.id])
    assert contract_store.get(first.id).summary == edited.summary and contract_store.count() == 1
    assert contract_store.fts_rowids() == [contract_store.rid_of(first.id)]
