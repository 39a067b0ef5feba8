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
- **Sentence vectors**: the index also holds a vector per sentence of every practice (the
  best 100 dense hits are rescored with their best sentence). For the corpora these are
  derived the same way for every size: embedding ~10 sentences per record for real would take
  hours, and a rescoring lookup costs the same whatever the vectors hold. The relevance runs
  embed every sentence of the bundled catalogue for real.
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
  without the model; the comparison with the raw embedder uses the real model on both sides,
  and the raw embedder embeds the same texts the pipeline does: each record and its sentences.
- **BM25**: served from the postings in memory (`catalogue/lexicon.py`, FTS5's own scores);
  each run waits until they are built (`store.warm()` in process, `/health` saying `warm`
  over HTTP), as a server does in the seconds after it starts.
- **Resources**: peak RSS is VmHWM of the API server process and of each in-process child
  (one fresh process per engine and size); disk is the SQLite file plus `index.faiss` after a
  WAL checkpoint, and txtai's saved index folder. Cold start is the median of three starts of
  `python -m api.cli.main --home DIR serve`, from spawn until `/health` answers 200.
- FAISS serves single-threaded (`omp_set_num_threads(1)`, as the API does): the 2-thread column
  of the FAISS table shows why.
- **Embedder**: e5-small (384 dimensions), as in the issue. The product default became the
  e5 + USE ensemble (896 dimensions) meanwhile: its query embedding costs the same (29 ms p50
  on this machine), its flat scans ~2.3x more. `--embedder e5+use` measures it (after
  embedding its own real vectors)."""


FINDINGS = """### Findings (profiling)

Profiled with cProfile (py-spy and pyinstrument are not installed in the venv), `EXPLAIN QUERY
PLAN` and the service's per-stage timings (`filter_ms`, `dense_ms`, `lexical_ms`, `page_ms` in
`benchmarks/out/speed.json`). Fixed along the way (figures from development runs on this machine):

1. **FTS5 and `rowid IN (...)`: quadratic.** SQLite pushed the candidate list into FTS5 as one
   `rowid = ?` lookup per candidate (`INDEX 0:=M4`), and FTS5 recomputes bm25's document
   frequencies on each lookup. At 100k practices one *unfiltered* lexical query took 24-170 s
   and a 1% filtered one 0.3-1.3 s (10 ms already at 300 practices). Fix: `+rowid`, so FTS5
   runs one MATCH scan (`catalogue/store_sqlite.py`, `_fts_scope`); a test checks the plan.
2. **Unfiltered BM25 listed every published rid** (`rowid IN (SELECT rid ... status IN
   ('published'))`): 40-60 ms per query at 100k. Fix: exclude the (few) non-published rids.
3. **Tag filters and facet counts in SQL grow with the catalogue.** A three-facet filter cost
   30-60 ms at 100k (B-tree probes over ~70k tag rows; no SQL formulation did better than 2x),
   it ran twice per hybrid query (dense candidates, then inside the BM25 query), and the facet
   counts of ~2,000 results scanned all ~400k facet tags (127 ms). Fix:
   `catalogue/facet_masks.py`, a boolean mask per facet value, rebuilt whenever another
   connection commits (a watcher connection's `PRAGMA data_version`): now 0.1-0.3 ms per filter
   (`filter_ms` above) with the same answers as the SQL (tests compare them), and the service
   hands its candidates to `fts_search`.
4. **e5 with two OpenMP threads on a busy 2-core machine**: one query took 1.8 s median instead
   of 27 ms when requests came with pauses (the idle OpenMP worker must be woken each time);
   the first HTTP run showed ~2 s per search. Fix: one thread per single query, all threads for
   batches (`search/embedders/e5_small.py`).
5. **FAISS threads**: two threads are slower than one for one top-1000 query at every size (FAISS
   table); the API keeps `omp_set_num_threads(1)`.
6. **Snippets** folded every word of ten results per search; a per-word cache
   (`catalogue/text.py`) takes ~1.5 ms off a search.
7. The benchmark's own vector cache lost 1 key in 256 (numpy `S16` strips trailing NUL bytes),
   so those texts were re-embedded in every build; keys are now stored as raw bytes.

**Target 1 (missed: 14.1 ms against 10 ms).** At 100k with a 1% filter the stages are filter
0.2 ms, dense 1.9 ms, BM25 8.7 ms, page (facets, 10 practices, snippets) 3.4 ms. BM25 is the
cause: FTS5 walks every posting of every query term (52k of 100k documents hold "samen" in
this corpus, whose vocabulary is narrower than real text) and only then drops the rows outside
the candidates. A Python BM25 over just the candidates' stored terms reproduced FTS5's
scores exactly but was no faster (1,000 candidate rows to read and count); getting under
10 ms needs postings intersected with the candidates before scoring (a facet token in the FTS
index, or PostgreSQL, see docs/SCALING.md). At 10k the same query takes 4.3 ms.

**Target 2 (missed without filters, met with them).** txtai answers an unfiltered hybrid query
in 3.4 ms at 10k against our 14.3 ms, and 10.5 against 60.6 ms at 100k. It does less work:
its BM25 scores postings in NumPy and keeps the top 100 per branch, its FAISS index is IVF
(approximate) above 5,000 rows, and it computes no facets, totals or snippets. Ours ranks
1,000 exact neighbours and every BM25 match (BM25 alone averages 6.4 ms at 10k and 48.5 ms at
100k), then counts facets over all of them. With filters the order reverses: 4.3
against 12.3 ms at 10k, and txtai, which filters its 100 candidates afterwards, returns 0.7
hits of 10 where we return 9.7. nDCG@10 on the relevance set: 0.786 for ours, 0.773 for txtai,
with the same vectors. The next steps for unfiltered speed are a top-k BM25 (WAND/MaxScore,
or PostgreSQL/OpenSearch's), a smaller lexical depth and facets counted on demand.

**Target 3** is met by a wide margin in substance: outside the model the pipeline spends
1.0 ms per record against ~120 ms in e5; the 9% gap to the embedder alone is mostly the
model itself running slower inside the pipeline (126.7 s against 116.7 s for the same texts,
chunks interleaved)."""


def notes(results: dict[str, Any]) -> str:
    return method(results) + "\n\n" + FINDINGS
