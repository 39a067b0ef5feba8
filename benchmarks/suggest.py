"""Curator tools benchmark: tag suggestions (leave-one-out), the duplicate threshold, drafts.

Usage: python -m benchmarks.suggest [--embedder e5+use] [--home DIR] [--seeds DIR] [--no-write]

Builds the bundled catalogue (data/) in a temporary folder (or reuses --home), then
- suggestions: every practice is held out in turn; its neighbours never include itself, and the
  logistic calibration is refitted without it (nested leave-one-out), so no number below saw
  the practice it is measured on. Precision and recall per label, for the combined signal and
  for each signal alone; the calibration fitted on all practices is printed for suggest.py;
- duplicates: nearest-neighbour cosines between distinct practices against planted duplicates
  (sentences shuffled and a third dropped; only title and summary; reworded title and summary),
  and, with --seeds, independently written articles against their nearest practice;
- drafts: region and municipality found in the text, lead against central summaries (cosine
  and word overlap with the curated summary), the first organisation found.
The results replace the section between the curation markers in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from api.core import Praktijkbank
from catalogue.model import Practice
from catalogue.settings import Settings
from catalogue.store import Filters
from catalogue.store_sqlite import SqliteStore
from catalogue.text import analyze, fold
from ingest.pipeline import ingest_paths
from search.curation.draft import make_summary
from search.curation.duplicates import DuplicateSpace, duplicate_space
from search.curation.organisations import find_organisations
from search.curation.places import guess_region
from search.curation.suggest import KINDS, Calibration, Features, SuggestTuning, TagSuggester
from search.embedders import make_embedder

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
START, END = "<!-- curation:start -->", "<!-- curation:end -->"


# -- calibration -------------------------------------------------------------------------

def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 0.01, steps: int = 30) -> np.ndarray:
    """Weights (features..., bias) of an L2-regularised logistic regression, by Newton steps."""
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + l2 * w
        hess = (x.T * (p * (1 - p))) @ x + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w


SIGNALS = {"combined": (True, True), "description": (True, False), "neighbours": (False, True)}


def fit_calibrations(feats: list[Features], truth: list[Practice], signal: str) -> dict[str, Calibration]:
    use_desc, use_knn = SIGNALS[signal]
    out = {}
    for kind, (vocab, _) in KINDS.items():
        cols = [np.concatenate([f.desc_z[kind] for f in feats])] if use_desc else []
        cols += [np.concatenate([f.votes[kind] for f in feats])] if use_knn else []
        y = np.concatenate([[k in getattr(p, kind) for k in vocab.keys] for p in truth]).astype(float)
        w = list(fit_logistic(np.stack(cols, axis=1), y))
        out[kind] = Calibration(desc=w.pop(0) if use_desc else 0.0, knn=w.pop(0) if use_knn else 0.0, bias=w[0])
    return out


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    def f1(self) -> float:
        return 2 * self.p() * self.r() / (self.p() + self.r()) if self.p() + self.r() else 0.0


def leave_one_out(suggester: TagSuggester, practices: list[Practice], feats: list[Features],
                  signal: str, base: SuggestTuning | None = None) -> dict[str, dict[str, Counts]]:
    """Per kind and label: counts of the production decision rule under nested leave-one-out."""
    base = base or SuggestTuning()
    counts = {kind: {k: Counts() for k in vocab.keys} for kind, (vocab, _) in KINDS.items()}
    for i, practice in enumerate(practices):
        rest = [j for j in range(len(practices)) if j != i]
        calib = fit_calibrations([feats[j] for j in rest], [practices[j] for j in rest], signal)
        suggester.tuning = replace(base, with_neighbours=calib, description_only=calib)
        result = suggester.decide(feats[i], "")
        for kind in KINDS:
            chosen, truth = set(result.suggested(kind)), set(getattr(practice, kind))
            for key, c in counts[kind].items():
                c.tp += key in chosen and key in truth
                c.fp += key in chosen and key not in truth
                c.fn += key not in chosen and key in truth
    suggester.tuning = SuggestTuning()
    return counts


SWEEP = [(k, t) for k in (10, 20) for t in (0.01, 0.03, 0.1)]
SWEEP_THRESHOLDS = (0.35, 0.5)


def sweep(suggester: TagSuggester, practices: list[Practice],
          rids: list[int]) -> list[tuple[SuggestTuning, float, float]]:
    """Micro F1 per kind for a small grid of neighbour counts, temperatures and thresholds."""
    index = suggester.core.index.current()
    rows = []
    for neighbours, temperature in SWEEP:
        suggester.tuning = SuggestTuning(neighbours=neighbours, temperature=temperature)
        feats = [suggester.features(index.vector(r), exclude=r) for r in rids]
        for threshold in SWEEP_THRESHOLDS:
            tuning = SuggestTuning(neighbours=neighbours, temperature=temperature, threshold=threshold)
            counts = leave_one_out(suggester, practices, feats, "combined", tuning)
            rows.append((tuning, micro(counts["krachtlijnen"]).f1(), micro(counts["sectors"]).f1()))
    suggester.tuning = SuggestTuning()
    return rows


def micro(per_label: dict[str, Counts]) -> Counts:
    return Counts(sum(c.tp for c in per_label.values()), sum(c.fp for c in per_label.values()),
                  sum(c.fn for c in per_label.values()))


# -- duplicates --------------------------------------------------------------------------

def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if s]


def planted(practice: Practice, rng: random.Random) -> dict[str, str]:
    """Texts that describe the same practice differently (what a second submission looks like)."""
    body = _sentences(practice.description or "")
    shuffled = body[:]
    rng.shuffle(shuffled)
    shuffled = shuffled[: max(1, len(shuffled) * 2 // 3)]
    return {
        "zinnen geschud, een derde weg": practice.model_copy(update={"description": " ".join(shuffled)}).search_text(),
        "alleen titel en samenvatting": f"{practice.title}\n{practice.summary}",
        "titel en samenvatting herschreven": practice.model_copy(update={
            "title": f"{practice.organisation}: {practice.title}"[:200],
            "summary": " ".join(body[:2])[:600] or practice.summary,
            "description": " ".join(body[2:])}).search_text(),
    }


def duplicate_study(core: Praktijkbank, practices: list[Practice], rids: list[int],
                    seeds: Path | None) -> dict[str, object]:
    """Nearest-neighbour cosines of distinct practices and of planted copies, per vector space."""
    index = core.index.current()
    full = np.stack([index.vector(r) for r in rids])
    space = duplicate_space(core.embedder)
    rng = random.Random(7)
    variants: dict[str, list[str]] = {}
    for p in practices:
        for name, text in planted(p, rng).items():
            variants.setdefault(name, []).append(text)
    encoded = {name: core.embedder.encode_documents(texts) for name, texts in variants.items()}
    articles = {}
    if seeds and seeds.is_dir():
        from search.curation.suggest import embed_text

        articles = {path.name: embed_text(core.embedder, path.read_text(encoding="utf-8"))
                    for path in sorted(seeds.glob("*.txt"))}
    spaces = {"full": lambda v: np.atleast_2d(v), space.model: space.project}
    out: dict[str, object] = {"space": space, "spaces": {}}
    for label, project in spaces.items():
        matrix = project(full)
        sims = matrix @ matrix.T
        np.fill_diagonal(sims, -1.0)
        planted_scores = {}
        for name, vectors in encoded.items():
            scores = project(vectors) @ matrix.T
            own = scores[np.arange(len(rids)), np.arange(len(rids))]
            planted_scores[name] = (own, float((scores.argmax(axis=1) == np.arange(len(rids))).mean()))
        found = []
        for name, vector in articles.items():
            scores = matrix @ project(vector)[0]
            found.append((name, practices[int(scores.argmax())].id, float(scores.max())))
        out["spaces"][label] = {"distinct": sims.max(axis=1), "planted": planted_scores,
                                "articles": found, "pair": _closest_pair(sims, practices)}
    return out


def _closest_pair(sims: np.ndarray, practices: list[Practice]) -> str:
    i, j = np.unravel_index(int(sims.argmax()), sims.shape)
    return f"{practices[i].id} / {practices[j].id} ({sims[i, j]:.3f})"


# -- drafts ------------------------------------------------------------------------------

def draft_study(core: Praktijkbank, practices: list[Practice]) -> dict[str, object]:
    region = municipality = organisation = 0
    summaries: dict[str, list[tuple[float, float]]] = {"lead": [], "central": []}
    for p in practices:
        text = "\n".join([p.title, p.summary, p.description or "", p.organisation])
        guess = guess_region(text)
        region += bool(guess and guess.region == p.region)
        municipality += (guess.municipality if guess else None) == p.municipality
        found = find_organisations("\n".join([p.title, p.description or ""]))
        organisation += bool(found) and bool(set(_long_words(found[0])) & set(_long_words(p.organisation)))
        body = f"{p.title}\n{p.description or ''}"
        for name, embedder in (("lead", None), ("central", core.embedder)):
            made = make_summary(body, title=p.title, embedder=embedder)
            vectors = core.embedder.encode_queries([made, p.summary])
            summaries[name].append((float(vectors[0] @ vectors[1]), _overlap(made, p.summary)))
    return {"region": region, "municipality": municipality, "organisation": organisation,
            "summaries": {k: tuple(np.mean(v, axis=0)) for k, v in summaries.items()}}


def _long_words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", fold(text)) if len(w) > 4]


def _overlap(made: str, reference: str) -> float:
    a, b = set(analyze(made)), set(analyze(reference))
    if not a or not b:
        return 0.0
    p, r = len(a & b) / len(a), len(a & b) / len(b)
    return 2 * p * r / (p + r) if p + r else 0.0


# -- report ------------------------------------------------------------------------------

THRESHOLDS = (0.92, 0.93, 0.94, 0.95, 0.96)


def _suggest_section(results: dict[str, dict[str, dict[str, Counts]]], practices: list[Practice]) -> list[str]:
    lines = ["### Tag suggestions (leave-one-out)", "",
             "| signal | krachtlijnen P | R | F1 | sectoren P | R | F1 |", "|---|---|---|---|---|---|---|"]
    for signal, counts in results.items():
        k, s = micro(counts["krachtlijnen"]), micro(counts["sectors"])
        bold = "**" if signal == "combined" else ""
        lines.append(f"| {bold}{signal}{bold} | {k.p():.3f} | {k.r():.3f} | {k.f1():.3f} "
                     f"| {s.p():.3f} | {s.r():.3f} | {s.f1():.3f} |")
    lines += ["", "Per label, combined signal (the default; n = practices carrying the label):", "",
              "| kind | label | n | precision | recall |", "|---|---|---|---|---|"]
    for kind, per_label in results["combined"].items():
        for key, c in per_label.items():
            n = sum(key in getattr(p, kind) for p in practices)
            lines.append(f"| {kind} | {key} | {n} | {c.p():.2f} | {c.r():.2f} |")
    return lines


def _sweep_section(rows: list[tuple[SuggestTuning, float, float]], final: dict[str, Calibration]) -> list[str]:
    shipped = SuggestTuning()
    lines = ["", "Tuning (combined signal, nested leave-one-out, micro F1):", "",
             "| neighbours | temperature | threshold | krachtlijnen F1 | sectoren F1 |", "|---|---|---|---|---|"]
    for t, fk, fs in rows:
        mark = "**" if (t.neighbours, t.temperature, t.threshold) == (
            shipped.neighbours, shipped.temperature, shipped.threshold) else ""
        lines.append(f"| {mark}{t.neighbours}{mark} | {t.temperature} | {t.threshold} | {fk:.3f} | {fs:.3f} |")
    fitted = "; ".join(f"{kind}: desc {c.desc:.3f}, knn {c.knn:.3f}, bias {c.bias:.3f}" for kind, c in final.items())
    lines += ["", f"Calibration fitted on all practices (shipped in `SuggestTuning`): {fitted}.", ""]
    return lines


def _duplicate_section(study: dict[str, object], n: int) -> list[str]:
    space: DuplicateSpace = study["space"]  # type: ignore[assignment]
    lines = ["### Near-duplicates", "",
             f"The check compares vectors in the space of `{space.model}` (for an ensemble: its "
             "calibrated block). Planted duplicates: every practice rewritten three ways (n = "
             f"{n} each); 'nearest = original' says the copy's nearest practice is the one it copies.", "",
             "| space | distinct: median / p90 / max | planted | min | p10 | median | nearest = original |",
             "|---|---|---|---|---|---|---|"]
    for label, data in study["spaces"].items():
        pct = np.percentile(data["distinct"], [50, 90, 100])
        for i, (name, (own, nn)) in enumerate(data["planted"].items()):
            left = f"{label} | {pct[0]:.3f} / {pct[1]:.3f} / {pct[2]:.3f}" if i == 0 else " | "
            lines.append(f"| {left} | {name} | {own.min():.3f} | {np.percentile(own, 10):.3f} "
                         f"| {np.median(own):.3f} | {nn:.0%} |")
    data = study["spaces"][space.model]
    distinct = data["distinct"]
    suggested = math.ceil((distinct.max() + 0.005) * 100) / 100
    lines += ["", f"Closest distinct pair: {data['pair']}. Rule: the threshold is the first "
              f"0.01 step at least 0.005 above the closest distinct pair: {suggested:.2f} "
              f"(shipped: {space.threshold:.2f}).", "",
              "| threshold | distinct practices flagged | " + " | ".join(data["planted"]) + " |",
              "|---" * (2 + len(data["planted"])) + "|"]
    for t in THRESHOLDS:
        row = [f"{(distinct >= t).sum()} / {n}"]
        row += [f"{(own >= t).mean():.0%}" for own, _ in data["planted"].values()]
        mark = " (default)" if abs(t - space.threshold) < 1e-9 else ""
        lines.append(f"| {t:.2f}{mark} | " + " | ".join(row) + " |")
    if data["articles"]:
        lines += ["", "Articles (--seeds) against their nearest practice, in the duplicate space:", ""]
        lines += [f"- {name}: {pid}, cosine {score:.3f}" for name, pid, score in data["articles"]]
    return lines + [""]


def _draft_section(study: dict[str, object], n: int) -> list[str]:
    lines = ["### Drafts from free text", "",
             f"- Region guessed from the practice's own text: {study['region']}/{n}; municipality: "
             f"{study['municipality']}/{n} (no municipality counts as right when none is set).",
             f"- First organisation found shares a word with the curated organisation: {study['organisation']}/{n}.",
             "", "| summary from the description | cosine with the curated summary | word F1 |", "|---|---|---|"]
    for name, (cos, f1) in study["summaries"].items():
        lines.append(f"| {name} | {cos:.3f} | {f1:.3f} |")
    return lines + [""]


def write_section(body: str, path: Path = BENCHMARKS) -> None:
    """Replace the curation section of BENCHMARKS.md (or append it), leaving the rest alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{START}\n{body.strip()}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Curator tools\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


# -- main --------------------------------------------------------------------------------

def build(home: Path, spec: str) -> Praktijkbank:
    store = SqliteStore(home / "praktijkbank.db")
    core = Praktijkbank.over(store, index_path=home / "index.faiss", embedder=make_embedder(spec))
    report = ingest_paths(store, [ROOT / "data"], indexer=core.indexing)
    assert not report.rejected, report.rejected
    return core


def run(core: Praktijkbank, seeds: Path | None, progress: Callable[[str], None] = print) -> str:
    store = core.store
    practices = store.list_practices(Filters())
    rids = [store.rid_of(p.id) for p in practices]
    suggester = core.suggester()
    index = core.index.current()
    progress("suggestions ...")
    feats = {
        "catalogue": [suggester.features(index.vector(r), exclude=r) for r in rids],
        "alone": [suggester.features(index.vector(r), use_catalogue=False) for r in rids],
    }
    results = {signal: leave_one_out(suggester, practices,
                                     feats["alone" if signal == "description" else "catalogue"], signal)
               for signal in SIGNALS}
    final = {"with_neighbours": fit_calibrations(feats["catalogue"], practices, "combined"),
             "description_only": fit_calibrations(feats["alone"], practices, "description")}
    progress(f"fitted calibration: {final}")
    grid = sweep(suggester, practices, rids)
    progress("duplicates ...")
    dup = duplicate_study(core, practices, rids, seeds)
    progress("drafts ...")
    drafts = draft_study(core, practices)
    header = [
        "Reproduce: `.venv/bin/python -m benchmarks.suggest` (add `--seeds ../shared/seeds` for the "
        "article check). Measured " + dt.date.today().isoformat() + f" with `{core.embedder.name}` "
        f"on the {len(practices)} bundled practices; decision rule: confidence >= "
        f"{SuggestTuning().threshold}, at least the best label, at most 3 krachtlijnen and 4 sectors.", ""]
    body = header + _suggest_section(results, practices) + _sweep_section(grid, final["with_neighbours"])
    body += _duplicate_section(dup, len(practices)) + _draft_section(drafts, len(practices))
    body += _findings(results, dup, drafts)
    return "\n".join(body)


def _findings(results: dict[str, dict[str, dict[str, Counts]]], dup: dict[str, object],
              drafts: dict[str, object]) -> list[str]:
    """The conclusions, with the numbers of this run."""
    f1 = {signal: {kind: micro(c[kind]).f1() for kind in KINDS} for signal, c in results.items()}
    space: DuplicateSpace = dup["space"]  # type: ignore[assignment]
    spaces = dup["spaces"]
    full, own = spaces["full"], spaces[space.model]
    above = lambda d: np.mean(np.concatenate([o for o, _ in d["planted"].values()]) > d["distinct"].max())  # noqa: E731
    lead, central = drafts["summaries"]["lead"], drafts["summaries"]["central"]
    return ["Findings:",
            f"- Combining both signals gives sectoren F1 {f1['combined']['sectors']:.3f} against "
            f"{f1['description']['sectors']:.3f} (descriptions) and {f1['neighbours']['sectors']:.3f} "
            f"(neighbours); for krachtlijnen {f1['combined']['krachtlijnen']:.3f} against "
            f"{f1['description']['krachtlijnen']:.3f} and {f1['neighbours']['krachtlijnen']:.3f}. Labels "
            "that few practices carry (six or fewer) are unreliable: suggestions are a starting point "
            "for the curator, never applied silently.",
            f"- Near-duplicates: {above(own):.0%} of the planted copies score above the closest pair of "
            f"distinct practices in the e5 block, {above(full):.0%} in the full ensemble vectors (USE's "
            "sentence-mean vectors blur the difference), so the check uses the e5 block. The misses are "
            "copies that keep only the title and summary.",
            f"- Summaries: the lead (cosine {lead[0]:.3f}, word F1 {lead[1]:.3f}) is as good as the most "
            f"central sentences ({central[0]:.3f}, {central[1]:.3f}) and needs no model: it is the default, "
            "`draft --central` the option.", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default=Settings.model_fields["embedder"].default,
                        help="embedder setting (default: the product's default)")
    parser.add_argument("--home", type=Path, help="reuse a catalogue folder built from data/")
    parser.add_argument("--seeds", type=Path, help="folder of .txt articles to check against the catalogue")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp)
        core = build(home, args.embedder)
        body = run(core, args.seeds)
        core.store.close()
    print(body)
    if not args.no_write:
        write_section(body)


if __name__ == "__main__":
    main()
