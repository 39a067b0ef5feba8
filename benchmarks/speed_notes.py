"""The prose of the `## Speed` section: how the numbers were made, and what profiling found."""

from __future__ import annotations

from typing import Any


def method(results: dict[str, Any]) -> str:
    real = results["meta"]["real_limit"]
    return f"""### What is real and what is derived

- **Corpus**: `benchmarks/corpus.py`, a seeded generator of Dutch practice records (kinds of
  practice, target groups, places, organisations and description sentences from
  `benchmarks/vocab/corpus_nl.yaml`, municipalities from the gazetteer, krachtlijnen, regions
  and sectors from the controlled vocabularies). Record *i* depends only on the seed and *i*,
  so the 1k corpus is the first 1k records of the 10k and 100k ones.
- **Document vectors**: the first {real:,} records are embedded for real with e5-small and
  cached in `benchmarks/.cache/` (git-ignored). Every later record gets a *derived* vector: the
  real vector of record (digest of its text mod {real:,}) plus seeded Gaussian noise of norm
  0.15, renormalised (cosine to its base ≈ 0.99, so query scores and the dense gate behave as
  with real vectors). The 1M FAISS-only run uses the same rule. A flat scan costs the same
  whatever the vectors hold; relevance is measured on real vectors only (the 58 bundled
  practices).
- **Query vectors**: the relevance set's queries, embedded for real once and cached. In
  process both engines read them from the cache, so "engine time" excludes embedding; the
  e5 query time is measured on its own. Over HTTP the server embeds every query itself.
- **Same vectors for both engines**: txtai runs with `method="external"` and a transform that
  asks the same cache (e5's `query:`/`passage:` split through txtai's `instructions`); its
  search settings are its own (`scoring` = what `hybrid=True` expands to: BM25 terms index,
  normalised, convex fusion 0.5/0.5; default FAISS choice: `IDMap,Flat` up to 5,000 rows, IVF
  above). txtai filters are SQL over its stored content, applied to its similar() candidates.
- **Ingest**: end to end from a JSONL file through `ingest_paths` (read, validate, upsert,
  FTS5, embed, FAISS). The per-size figures use cached vectors, so they measure the pipeline
  without the model; the comparison with the raw embedder uses the real model on both sides.
- **Resources**: peak RSS is VmHWM of the API server process and of each in-process child
  (one fresh process per engine and size); disk is the SQLite file plus `index.faiss` after a
  WAL checkpoint, and txtai's saved index folder. Cold start is the median of three starts of
  `python -m api.cli.main --home DIR serve`, from spawn until `/health` answers 200.
- FAISS serves single-threaded (`omp_set_num_threads(1)`, as the API does): the 2-thread column
  of the FAISS table shows why."""


FINDINGS = """### Findings (profiling)

Profiled with cProfile (py-spy and pyinstrument are not installed in the venv), `EXPLAIN QUERY
PLAN` and the service's per-stage timings (`filter_ms`, `dense_ms`, `lexical_ms`, `page_ms`).
Figures below are from development runs on the same, shared machine.

1. **FTS5 and `rowid IN (...)`: quadratic.** SQLite pushed the candidate list into FTS5 as one
   `rowid = ?` lookup per candidate (`INDEX 0:=M4`), and FTS5 recomputes bm25's document
   frequencies on each lookup. At 100k practices one *unfiltered* lexical query took 24-170 s
   and a 1% filtered one 0.3-1.3 s (10 ms already at 300 practices). Fix: `+rowid`, so FTS5
   runs one MATCH scan (`catalogue/store_sqlite.py`, `_fts_scope`); a test checks the plan.
2. **Unfiltered BM25 listed every published rid** (`rowid IN (SELECT rid ... status IN
   ('published'))`): 40-60 ms per query at 100k. Fix: exclude the (few) non-published rids.
3. **Tag filters and facet counts in SQL grow with the catalogue.** A three-facet filter cost
   30-60 ms at 100k (B-tree probes over ~70k tag rows, no SQL formulation did better than 2x),
   it ran twice per hybrid query (dense candidates, then inside the BM25 query), and facet counts
   over ~2,000 results scanned all ~400k facet tags (127 ms). Fix: `catalogue/facet_masks.py`,
   one boolean mask per facet value, rebuilt when another connection commits (a watcher
   connection's `PRAGMA data_version`); filter 0.1-0.3 ms, counts 0.1-0.5 ms, same answers
   (tests compare with the SQL). The service now hands its candidates to `fts_search`.
4. **e5 with two OpenMP threads on a busy 2-core machine**: a single query took 1.8 s median
   (27 ms on one thread) when requests came with gaps, as the idle OpenMP worker had to be woken.
   HTTP p50 was ~2 s in the first run. Fix: one thread per single query, all threads for
   batches (`search/embedders/e5_small.py`).
5. **FAISS threads**: two threads are slower than one for a single top-1000 query (FAISS table);
   the API keeps `omp_set_num_threads(1)`.
6. **Snippets** folded every word of ten results per search; a per-word cache
   (`catalogue/text.py`) takes ~1.5 ms off a search.

**What remains.** Unfiltered lexical and hybrid search at 100k: FTS5 scores *every* document
that holds any query term (52k of 100k for "samen Nederlands oefenen ..." in this corpus, whose
vocabulary is narrower than real text), so BM25 costs 50-200 ms; FAISS adds ~12 ms for a flat
top-1000 scan. txtai is faster unfiltered because its BM25 scores postings in NumPy and keeps the
top 100 per branch, its FAISS index is IVF (approximate) above 5,000 rows, and it computes no
facets, totals or snippets; under selective filters it post-filters 100 candidates, so it returns
fewer than 10 hits. The next steps are a top-k (WAND/MaxScore) BM25 or, past one machine,
PostgreSQL (docs/SCALING.md)."""


def notes(results: dict[str, Any]) -> str:
    return method(results) + "\n\n" + FINDINGS
