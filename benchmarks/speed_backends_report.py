"""The `speed-backends` part of BENCHMARKS.md from the results of `speed.py --backends`."""

from __future__ import annotations

from typing import Any

from benchmarks.speed_plan import MODES
from benchmarks.speed_report import _ms, _size_label, _table

Results = dict[str, Any]
NAMES = {"sqlite": "SQLite + FAISS", "postgresql": "PostgreSQL + pgvector"}
STAGES = ("dense", "lexical", "facets", "page")


def _sizes(r: Results) -> list[str]:
    return sorted(r["sizes"], key=int)


def _ratio(a: float | None, b: float | None) -> str:
    return f"{b / a:.2f}x" if a and b else "–"


def _load(entry: dict[str, Any]) -> str:
    """The 1-minute load average before and after a step."""
    before, after = entry.get("load_before"), entry.get("load_after")
    return f"{before[0]:.1f} → {after[0]:.1f}" if before and after else "–"


def _pair(r: Results) -> tuple[str, str] | None:
    """The two backends compared, SQLite first, when both ran."""
    return ("sqlite", "postgresql") if {"sqlite", "postgresql"} <= set(r["backends"]) else None


def head(r: Results) -> str:
    meta = r["meta"]
    pg = next((e["postgres"] for e in r["sizes"].values() if "postgres" in e), None)
    server = ""
    if pg:
        settings = ", ".join(f"{k} {v}" for k, v in pg["settings"].items())
        server = (f" PostgreSQL {pg['versions']['postgresql']} with pgvector {pg['versions']['pgvector']}, the "
                  f"embedded server of `catalogue/postgres/server.py` on the same machine (Unix socket; {settings}).")
    return (f"Measured {meta['date']} on {meta['machine']}.{server} Command: `{meta['command']}` "
            f"({meta['minutes']:.1f} min). Embedder `{meta['embedder']}` with sentence vectors; "
            f"{meta['queries']} queries (the relevance set's), {meta['repeat']}x in process; "
            f"{meta['http_requests']} HTTP requests per mode and filter. The machine is shared: the load "
            f"average (1 min) was {r['load_start'][0]:.1f} at the start and {r['load_end'][0]:.1f} at the end; "
            "each table gives it per size (before → after the step). Both backends run side by side in one "
            "run, so read the ratios (PostgreSQL / SQLite: above 1 is slower) before the milliseconds.")


def copy_section(r: Results) -> str:
    rows = []
    for size in _sizes(r):
        pg = r["sizes"][size].get("postgres")
        if not pg:
            continue
        sqlite_mb = r["sizes"][size].get("sqlite_disk_mb")
        disk = f"{pg['disk_mb']:.0f}" + (f" / {sqlite_mb:.0f}" if sqlite_mb else "")
        m = pg.get("migrate")
        if m is None:
            rows.append([_size_label(size), "filled by an earlier run", "–", "–", "–", disk, _load(pg)])
            continue
        rows.append([_size_label(size), f"{m['practices']:,}", f"{m['copy_s']:.1f} s ({m['vectors_copied']:,} copied, "
                     f"{m['embedded']} embedded)", f"{m['verify_s']:.1f} s, {m['same_top10']} of {m['searches']} "
                     f"searches the same top 10, counts {'equal' if m['counts_match'] else '**differ**'}",
                     f"{pg['analyze_s']:.1f} s", disk, _load(pg)])
    if not rows:
        return ""
    return ("Filling PostgreSQL: `praktijkbank migrate --to URL` (`api/migrate.py`) from the SQLite catalogue of "
            "each size, one database per size, then `ANALYZE`. The copy reads every practice and its vectors "
            "through the protocols and writes them in one transaction; the model's load before it is not "
            "counted.\n\n" + _table(["size", "practices", "copy", "the command's check", "ANALYZE",
                                      "on disk MiB, PostgreSQL / SQLite + FAISS", "load"], rows))


def engine_section(r: Results) -> str:
    pair = _pair(r)
    backends = list(pair or r["backends"])
    header = ["mode"]
    for size in _sizes(r):
        header += [f"{_size_label(size)} {NAMES[b].split(' ')[0]}" for b in backends] + ([f"{_size_label(size)} ratio"]
                                                                                          if pair else [])
    rows = []
    for mode in MODES:
        for label in ("all", "filtered"):
            key = f"{mode}/{label}"
            row = [mode + (" + filters" if label == "filtered" else "")]
            for size in _sizes(r):
                lat = r["sizes"][size]["engine"]["latency"]
                row += [_ms(lat[b].get(key)) for b in backends]
                if pair:
                    row.append(_ratio(lat[pair[0]][key]["p50"], lat[pair[1]][key]["p50"]))
            rows.append(row)
    load_row = ["load (1 min)"]
    for size in _sizes(r):
        load_row += [_load(r["sizes"][size]["engine"])] + ["" for _ in backends[1:]] + ([""] if pair else [])
    rows.append(load_row)
    return ("Engine latency in process (ms, p50 / p95; query vectors from the cache, so no model in it; both "
            "catalogues open in one process, taking turns query by query; ratio of the p50s):\n\n"
            + _table(header, rows) + "\n\n" + stages_section(r, backends))


def stages_section(r: Results, backends: list[str]) -> str:
    """Where the time goes: mean ms per stage of a hybrid search, unfiltered and filtered."""
    rows = []
    for size in _sizes(r):
        stages = r["sizes"][size]["engine"]["stages"]
        for b in backends:
            for label in ("all", "filtered"):
                s = stages[b][f"hybrid/{label}"]
                rows.append([_size_label(size), NAMES[b], "hybrid" + (" + filters" if label == "filtered" else ""),
                             *(f"{s.get(f'{name}_ms', 0.0):.1f}" for name in STAGES)])
    return ("Where a hybrid search spends its time (mean ms per stage; `dense` is the vector scan and the "
            "sentence rescoring, `page` reads the shown practices):\n\n"
            + _table(["size", "backend", "search", *STAGES], rows))


def http_section(r: Results) -> str:
    sized = [s for s in _sizes(r) if "http" in r["sizes"][s]]
    if not sized:
        return ""
    pair = _pair(r)
    backends = list(pair or r["backends"])
    rows = []
    for size in sized:
        lat = r["sizes"][size]["http"]["latency"]
        for mode in MODES:
            for label in ("all", "filtered"):
                key = f"{mode}/{label}"
                row = [_size_label(size), mode + (" + filters" if label == "filtered" else "")]
                row += [_ms(lat[b].get(key)) for b in backends]
                if pair:
                    row.append(_ratio(lat[pair[0]][key]["p50"], lat[pair[1]][key]["p50"]))
                rows.append(row)
        rows.append([_size_label(size), "load (1 min)", _load(r["sizes"][size]["http"]),
                     *[""] * (len(backends) - 1 + bool(pair))])
    latency = _table(["size", "mode", *(NAMES[b] for b in backends), *(["ratio"] if pair else [])], rows)
    return ("Over HTTP: one real `praktijkbank serve` per backend, both running (PostgreSQL's with "
            "`PRAKTIJKBANK_DATABASE_URL`), the query cache off so every request embeds its query with the "
            "real model. One client, ms p50 / p95, the two servers taking turns request by request:\n\n"
            + latency + "\n\n" + throughput_section(r, sized, backends, pair) + "\n\n" + memory_section(r, sized))


def throughput_section(r: Results, sized: list[str], backends: list[str], pair: tuple[str, str] | None) -> str:
    rows = []
    for size in sized:
        put = r["sizes"][size]["http"]["throughput"]
        for i, clients in enumerate(t["clients"] for t in put[backends[0]]):
            row = [_size_label(size), str(clients)]
            row += [f"{put[b][i]['qps']:.1f} q/s (p50 {put[b][i]['p50']:.0f} ms, p95 {put[b][i]['p95']:.0f} ms)"
                    for b in backends]
            if pair:
                row.append(_ratio(put[pair[1]][i]["qps"], put[pair[0]][i]["qps"]))
            rows.append(row)
    return ("Throughput, hybrid searches, bounded load on 127.0.0.1 (each client sends its requests back to "
            "back; two rounds, the servers' order turning; ratio: SQLite's queries/s over PostgreSQL's, above "
            "1 is PostgreSQL slower):\n\n"
            + _table(["size", "clients", *(NAMES[b] for b in backends), *(["ratio"] if pair else [])], rows))


def memory_section(r: Results, sized: list[str]) -> str:
    rows = []
    for size in sized:
        mem = r["sizes"][size]["http"]["memory"]
        row = [_size_label(size)]
        row += [f"{mem[b]['peak_rss_mb']:.0f}" if b in mem else "–" for b in ("sqlite", "postgresql")]
        pg = mem.get("postgresql-server")
        row.append(f"{pg['rss_mb']:.0f} / {pg['pss_mb']:.0f} ({pg['processes']})" if pg else "–")
        rows.append(row)
    return ("Memory (MiB): peak RSS of each API server process, and of PostgreSQL's own processes after the "
            "load, apart (RSS summed over the processes / PSS, which counts shared buffers once; the number "
            "of processes). PostgreSQL also leans on the operating system's page cache, which no process "
            "counts.\n\n" + _table(["size", "API server on SQLite + FAISS", "API server on PostgreSQL",
                                     "PostgreSQL processes, RSS / PSS (count)"], rows))


def render(r: Results) -> str:
    parts = [head(r), copy_section(r), engine_section(r), http_section(r)]
    return "\n\n".join(p for p in parts if p)
