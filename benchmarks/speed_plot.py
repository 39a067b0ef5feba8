"""The latency-against-corpus-size plot of the speed benchmark (matplotlib, PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SERIES = (
    ("ours", "hybrid/all", "Praktijkbank hybrid", "tab:blue", "-"),
    ("ours", "hybrid/filtered", "Praktijkbank hybrid + filters (1%)", "tab:blue", "--"),
    ("txtai", "hybrid/all", "txtai hybrid", "tab:orange", "-"),
    ("txtai", "hybrid/filtered", "txtai hybrid + filters (1%)", "tab:orange", "--"),
    ("http", "hybrid/all", "Praktijkbank over HTTP (with query embedding)", "tab:green", ":"),
)


def plot(results: dict[str, Any], path: Path) -> Path:
    """p50 engine latency per corpus size for both engines, and FAISS alone up to 1M; log-log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results["sizes"], key=int)
    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=120)
    for engine, combo, label, colour, style in SERIES:
        points = [(int(s), results["sizes"][s][engine]["latency"][combo]["p50"])
                  for s in sizes if results["sizes"][s].get(engine)]
        if points:
            xs, ys = zip(*points, strict=False)
            ax.plot(xs, ys, style, marker="o", color=colour, label=label)
    index = sorted(results.get("index_only", {}).items(), key=lambda kv: int(kv[0]))
    if index:
        xs = [int(n) for n, _ in index]
        ax.plot(xs, [r["all/1t"]["p50"] for _, r in index], "-.", marker="s", color="tab:gray",
                label="FAISS alone, top-1000 (derived vectors)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("practices in the corpus")
    ax.set_ylabel("p50 latency, ms (engine time unless noted)")
    ax.set_title("Query latency against corpus size (2 cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
