from __future__ import annotations

import codecs
import json

import pytest

from ingest.pipeline import collect
from ingest.readers import Problem, RawRecord, read_file


def _good(i: int = 1, **over):
    data = {"id": f"praktijk-{i}", "title": f"Praktijk {i}", "summary": "Een korte maar duidelijke samenvatting.",
            "organisation": "Vzw Test", "region": "limburg", "sector": "welzijn", "krachtlijnen": ["verbindend"],
            "source_url": "https://example.org"}
    data.update(over)
    return data


def _bad(i: int = 9):
    return _good(i, krachtlijnen=["onbestaand"])


def _items(path):
    return list(read_file(path))


def test_json_object_and_list(tmp_path):
    (tmp_path / "one.json").write_text(json.dumps(_good(1)), encoding="utf-8")
    (tmp_path / "many.json").write_text(json.dumps([_good(2), _bad(3)]), encoding="utf-8")
    good, report = collect([tmp_path])
    assert sorted(p.id for p in good) == ["praktijk-1", "praktijk-2"]
    [rej] = report.rejected
    assert (rej.source.endswith("many.json"), rej.locator, rej.field) == (True, "record 2", "krachtlijnen")


def test_truncated_json_names_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"id": "a",\n "title": ', encoding="utf-8")
    [problem] = _items(path)
    assert isinstance(problem, Problem) and problem.locator.startswith("regel 2")


def test_jsonl_contract_with_bad_lines(tmp_path):
    path = tmp_path / "p.jsonl"
    lines = [json.dumps(_good(1)), "{niet json", "", json.dumps(_bad(4)), json.dumps(_good(5, extra_key="x"))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good, report = collect([path])
    assert [p.id for p in good] == ["praktijk-1", "praktijk-5"]
    assert good[1].extra == {"extra_key": "x"}
    assert [(r.locator, r.field) for r in report.rejected] == [("regel 2", "json"), ("regel 4", "krachtlijnen")]


def test_yaml_list_and_multi_document(tmp_path):
    import yaml

    (tmp_path / "a.yaml").write_text(yaml.safe_dump([_good(1), _good(2)]), encoding="utf-8")
    (tmp_path / "b.yml").write_text(yaml.safe_dump_all([_good(3), _bad(4)]), encoding="utf-8")
    good, report = collect([tmp_path])
    assert sorted(p.id for p in good) == ["praktijk-1", "praktijk-2", "praktijk-3"]
    assert report.rejected[0].locator == "document 2"


def test_yaml_bomb_is_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    [problem] = _items(path)
    assert isinstance(problem, Problem) and "aliassen" in problem.message


def test_csv_with_semicolons_lists_and_bad_rows(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "id;title;summary;organisation;region;sectors;krachtlijnen\n"
        "csv-1;Praktijk één;Een korte maar duidelijke samenvatting.;Vzw;Limburg;welzijn, wonen;verbindend, politiserend\n"
        "csv-2;Praktijk twee;Te kort;Vzw;Limburg;welzijn;verbindend\n",
        encoding="utf-8",
    )
    good, report = collect([path])
    assert [(p.id, p.sectors, p.krachtlijnen) for p in good] == [
        ("csv-1", ["welzijn", "wonen"], ["verbindend", "politiserend"])]
    assert [(r.locator, r.field) for r in report.rejected] == [("regel 3", "summary")]


def test_csv_stray_quote_is_reported(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('id,title\n"a,"b"c\n', encoding="utf-8")
    items = _items(path)
    assert any(isinstance(i, Problem) and i.field == "csv" for i in items)


def test_markdown_front_matter_body_is_description(tmp_path):
    path = tmp_path / "p.md"
    path.write_text("---\nid: md-1\ntitle: Markdown praktijk\nsummary: Een korte maar duidelijke samenvatting.\n"
                    "organisation: Vzw\nmunicipality: Hasselt\nsectors: [welzijn]\nkrachtlijnen: [procesmatig]\n---\n"
                    "Een lange beschrijving.\n", encoding="utf-8")
    good, report = collect([path])
    assert good[0].description == "Een lange beschrijving." and good[0].region == "limburg"


def test_markdown_without_front_matter_is_skipped_not_rejected(tmp_path):
    (tmp_path / "README.md").write_text("# Uitleg\n", encoding="utf-8")
    good, report = collect([tmp_path])
    assert good == [] and report.rejected == [] and len(report.skipped) == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_encodings_are_read(tmp_path, encoding):
    path = tmp_path / "p.json"
    path.write_bytes(json.dumps([_good(1, title="Café Ü")], ensure_ascii=False).encode(encoding))
    [item] = _items(path)
    assert isinstance(item, RawRecord) and item.data["title"] == "Café Ü"


def test_latin1_is_reported_as_encoding_problem(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(json.dumps(_good(1, title="Caf\u00e9"), ensure_ascii=False).encode("latin-1") + b"\n")
    items = _items(path)
    assert isinstance(items[-1], Problem) and items[-1].field == "codering"


def test_duplicate_ids_in_one_batch_rejected(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps(_good(1)) + "\n" + json.dumps(_good(1, title="Ander")) + "\n",
                                      encoding="utf-8")
    good, report = collect([tmp_path])
    assert len(good) == 1
    assert report.rejected[0].field == "id" and "komt al voor" in report.rejected[0].message


def test_missing_path_and_unknown_suffix(tmp_path):
    (tmp_path / "x.txt").write_text("hallo", encoding="utf-8")
    _, report = collect([tmp_path / "nope", tmp_path / "x.txt"])
    assert [r.message.split(";")[0] for r in report.rejected] == ["bestand of map bestaat niet",
                                                                  "onbekend bestandstype '.txt'"]


def test_utf16_bom_constant_sanity():
    assert codecs.BOM_UTF16_LE == b"\xff\xfe"


def test_large_jsonl_and_csv_are_streamed_not_loaded(tmp_path):
    """A 200 MB file: reading its first records must not load the file."""
    import tracemalloc

    line = json.dumps(_good(1, description="x" * 2000), ensure_ascii=False) + "\n"
    for name, content in (("big.jsonl", line), ("big.csv", None)):
        path = tmp_path / name
        with open(path, "w", encoding="utf-8") as fh:
            if content is None:
                fh.write("id;title;summary;organisation;region;sectors;krachtlijnen\n")
                content = "p1;Titel;Een korte samenvatting hier;Org;limburg;welzijn;verbindend\n"
            block = content * 1000
            while fh.tell() < 200 * 2**20:
                fh.write(block)
        tracemalloc.start()
        items = read_file(path)
        first = [next(items) for _ in range(50)]
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert all(isinstance(i, RawRecord) for i in first)
        assert peak < 8 * 2**20, f"{name}: {peak} bytes for 50 records"


def test_whole_file_formats_refuse_huge_files_clearly(tmp_path, monkeypatch):
    from ingest import readers

    monkeypatch.setattr(readers, "MAX_WHOLE_FILE_BYTES", 1000)
    for name in ("groot.json", "groot.yaml", "groot.md"):
        path = tmp_path / name
        path.write_text("x" * 2000, encoding="utf-8")
        [item] = _items(path)
        assert isinstance(item, Problem) and "JSONL of CSV" in item.message and item.source == str(path)
