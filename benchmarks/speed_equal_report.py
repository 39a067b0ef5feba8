"""The `speed-equal` part of BENCHMARKS.md from the results of benchmarks/speed_equal.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

Results = dict[str, Any]


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _label(n: str | int) -> str:
    n = int(n)
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def _ms(s: dict[str, float] | None) -> str:
    return f"{s['p50']:.1f} / {s['p95']:.1f}" if s else "–"


def _qps(s: dict[str, float]) -> float:
    return 1000.0 / s["mean"] if s.get("mean") else 0.0


def _best(o: dict[str, Any]) -> float:
    """Our queries/s over txtai's at equal work, the faster of exact and IVF search (each against
    txtai measured in the same turns)."""
    exact = _qps(o["equal"]) / _qps(o["txtai"])
    if "equal_ivf" not in o:
        return exact
    return max(exact, _qps(o["equal_ivf"]) / _qps(o["txtai_ivf_turns"]))


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def targets(r: Results) -> list[list[str]]:
    sizes = sorted(r["sizes"], key=int)
    rows = []
    ratios = {s: _best(r["sizes"][s]["ours"]) for s in sizes}
    rel = r.get("relevance")
    ndcg = ""
    ndcg_ok = True
    if rel:
        ours, peer = rel["ours"]["hybrid"]["ndcg"], rel["txtai"]["hybrid"]["ndcg"]
        ndcg, ndcg_ok = f"; nDCG@10 {ours:.3f} vs {peer:.3f}", ours >= peer
    rows.append(["1", "equal work: >= 2x txtai's queries/s (engine time) at every size, equal or better nDCG",
                 ", ".join(f"{v:.2f}x at {_label(s)}" for s, v in ratios.items()) + ndcg,
                 _met(all(v >= 2 for v in ratios.values()) and ndcg_ok and bool(rel))])
    http = r["sizes"].get("10000", {}).get("http", {}).get("1")
    if http:
        # The query embedding as the server runs it: one BLAS and one OpenMP thread (set_threads).
        embed = r["sizes"]["10000"]["ours"]["embed"]["p50"]
        p50 = http["1/facets"]["p50"]
        rows.append(["2", "HTTP p50 at 10k, facets asked <= query embedding + 10 ms",
                     f"{p50:.1f} ms vs {embed:.1f} + 10 = {embed + 10:.1f} ms (embedding as served, "
                     "in process at 10k)", _met(p50 <= embed + 10)])
    big = r["sizes"][sizes[-1] if "10000" not in r["sizes"] else "10000"]["ours"]
    share = big["repeated_query"]["p50"] / big["new_query"]["p50"]
    rows.append(["3", "a repeated query costs < 20% of a new one (in process, end to end, 10k)",
                 f"{big['repeated_query']['p50']:.1f} vs {big['new_query']['p50']:.1f} ms p50 = {share:.0%}",
                 _met(share < 0.2)])
    two = r["sizes"].get("10000", {}).get("http", {}).get("2")
    if http and two:
        gain = two["8/facets"]["qps"] / http["8/facets"]["qps"]
        rows.append(["4", "2 workers >= 1.7x the throughput of 1, 8 clients on 2 cores",
                     f"{gain:.2f}x ({http['8/facets']['qps']:.1f} -> {two['8/facets']['qps']:.1f} q/s)",
                     _met(gain >= 1.7)])
    if r.get("ingest"):
        ing = r["ingest"]
        share = ing["pipeline_per_s"] / ing["raw_per_s"]
        rows.append(["5", "ingest within 20% of the raw embedder (default embedder)",
                     f"{share:.0%} of raw ({ing['pipeline_per_s']:.2f} vs {ing['raw_per_s']:.2f} records/s)",
                     _met(share >= 0.8)])
    return rows


def render(r: Results) -> str:
    m = r["meta"]
    sizes = sorted(r["sizes"], key=int)
    parts = [
        "<!-- speed-equal:start -->",
        "### Equal work, default embedder (issue 19; benchmarks/speed_equal.py)",
        "",
        f"Measured {m.get('date', '?')} on {m.get('machine', '?')}; {m.get('versions', '')}. "
        "Commands: " + "; then ".join(f"`{c}`" for c in m.get("commands", [m.get("command", "")])) +
        f" ({m.get('minutes', 0):.1f} min in all). Embedder `{m['embedder']}` "
        f"(896 dimensions) with sentence vectors, {m['queries']} queries (the relevance set's), "
        f"{m['repeat']}x in process. Equal work = a top-10 page without facets, no filters.",
        "",
        _table(["#", "target", "measured", ""], targets(r)),
        "",
        "Engine time in process (ms, p50 / p95; query vectors from the cache, so no model in it) "
        "and queries/s (1000 / mean):",
        "",
        _table(["engine, page", *(_label(s) for s in sizes)], [
            ["Praktijkbank, top 10 without facets", *(_ms(r["sizes"][s]["ours"]["equal"]) for s in sizes)],
            ["txtai hybrid, top 10", *(_ms(r["sizes"][s]["ours"]["txtai"]) for s in sizes)],
            ["Praktijkbank, full page with facets", *(_ms(r["sizes"][s]["ours"]["full"]) for s in sizes)],
            ["Praktijkbank IVF (nprobe 64), top 10 without facets",
             *(_ms(r["sizes"][s]["ours"].get("equal_ivf")) for s in sizes)],
            ["txtai, measured in the same turns as IVF", *(_ms(r["sizes"][s]["ours"].get("txtai_ivf_turns")) for s in sizes)],
            ["Praktijkbank IVF, full page with facets", *(_ms(r["sizes"][s]["ours"].get("full_ivf")) for s in sizes)],
            ["queries/s: Praktijkbank without facets", *(f"{_qps(r['sizes'][s]['ours']['equal']):.0f}" for s in sizes)],
            ["queries/s: txtai", *(f"{_qps(r['sizes'][s]['ours']['txtai']):.0f}" for s in sizes)],
            ["queries/s: Praktijkbank with facets", *(f"{_qps(r['sizes'][s]['ours']['full']):.0f}" for s in sizes)],
            ["ratio at equal work, ours / txtai (the faster of exact and IVF)",
             *(f"{_best(r['sizes'][s]['ours']):.2f}x" for s in sizes)],
        ]),
        "",
        "End to end in process, with the real query model (ms, p50 / p95):",
        "",
        _table(["page", *(_label(s) for s in sizes)], [
            ["query embedding alone", *(_ms(r["sizes"][s]["ours"]["embed"]) for s in sizes)],
            ["top 10 without facets", *(_ms(r["sizes"][s]["ours"]["e2e_equal"]) for s in sizes)],
            ["full page with facets", *(_ms(r["sizes"][s]["ours"]["e2e_full"]) for s in sizes)],
            ["page's facets, new query (query cache miss)", *(_ms(r["sizes"][s]["ours"]["new_query"]) for s in sizes)],
            ["page's facets, same query again (cache hit)",
             *(_ms(r["sizes"][s]["ours"]["repeated_query"]) for s in sizes)],
        ]),
    ]
    if "query_embedding" in r:  # absent after --skip-query-embedding without --merge
        parts += ["", f"Query embedding alone in a fresh process: {_ms(r['query_embedding'])} ms."]
    http_rows = []
    for s in sizes:
        for workers, h in sorted(r["sizes"][s].get("http", {}).items()):
            for clients in ("1", "8"):
                for label, name in (("facets", "page's facets"), ("no_facets", "no facets")):
                    x = h[f"{clients}/{label}"]
                    http_rows.append([_label(s), workers, clients, name, f"{x['p50']:.1f} / {x['p95']:.1f}",
                                      f"{x['qps']:.1f}", f"{h['peak_rss_mb']:.0f} ({h['processes']})"])
    if http_rows:
        parts += ["", "Over HTTP (the real server, query cache off so that every request embeds; "
                  "bounded load on 127.0.0.1):", "",
                  _table(["size", "workers", "clients", "facets", "ms p50 / p95", "queries/s",
                          "peak RSS MiB, all server processes (count)"], http_rows)]
    if r.get("ingest"):
        ing = r["ingest"]
        parts += ["", f"Ingest, {ing['records']} records, real model on both sides, each record and its "
                  f"sentences: raw embedder {ing['raw_per_s']:.2f} records/s, files -> SQLite -> FTS -> FAISS "
                  f"{ing['pipeline_per_s']:.2f} records/s; time outside the model "
                  f"{ing['overhead_ms_per_record']:.1f} ms/record."]
    if r.get("relevance"):
        parts += ["", _table(["engine", "nDCG@10", "MRR@10", "recall@10", "queries"], [
            [name, f"{x['hybrid']['ndcg']:.3f}", f"{x['hybrid']['mrr']:.3f}", f"{x['hybrid']['recall']:.3f}",
             str(x["hybrid"].get("n", ""))] for name, x in (("Praktijkbank hybrid", r["relevance"]["ours"]),
                                                          ("txtai hybrid", r["relevance"]["txtai"]))])]
    real = m.get("real_limit", 0)
    parts += ["", "How the vectors were made: the corpus is `benchmarks/corpus.py` (seeded; the 1k corpus is the "
              f"first 1k records of the 10k and 100k ones). The first {real:,} records were embedded for real "
              "with the default embedder (e5 + USE, 896 dimensions) and cached in `benchmarks/.cache/`; every "
              f"later record gets a derived vector: the real vector of record (digest of its text mod {real:,}) "
              "plus seeded Gaussian noise of norm 0.15, renormalised (cosine to its base about 0.99). Every "
              "sentence vector of every record (about 10 per record, the index's sentence vectors) is derived "
              "the same way: embedding them for real would take hours on 2 cores. A flat scan and a rescoring "
              "lookup cost the same whatever the vectors hold. Query vectors are real (cached for engine time; "
              "the model itself for end-to-end and HTTP). txtai gets exactly the same vectors through its "
              "`external` transform. nDCG is measured on the bundled catalogue (`data/`), all of it embedded "
              "for real, sentences included.",
              "", "<!-- speed-equal:end -->"]
    return "\n".join(parts)


def splice(path: Path, section: str, start: str, end: str) -> None:
    """Replace the marked section, or put it first in the `## Speed` section when it is new; a
    file that does not exist yet (a scratch report) gets the section alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        anchor = "### Targets\n"
        text = text.replace(anchor, section + "\n\n" + anchor, 1) if anchor in text else text + "\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
