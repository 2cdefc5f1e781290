"""The HTML report: one self-contained page (inline CSS and SVG, no script, no network).

Sections: the aggregates (MLE-bench's rates per suite x scaffold x split, pass@k); a medal-rate
chart per suite x scaffold; per competition, the agent's scores placed on the human
leaderboard's score distribution with the medal thresholds marked; tokens and cost per run;
runs that failed and why; and the search tree of every run whose logs hold an AIDE-style
`journal.json`.

Every string that comes from a record, a journal or a note is escaped (`html.escape`): run ids,
errors and plans are written by agents and are untrusted. A Content-Security-Policy meta tag
forbids scripts and any fetch, so a page is inert even if something slipped through.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone

from podium.runtime.grading.leaderboard import Leaderboard, thresholds
from podium.runtime.reports import _format as fmt
from podium.runtime.reports import svg
from podium.runtime.reports.aggregate import (
    ALL_SPLIT,
    DISPLAY_ORDER,
    RATE_LABELS,
    CompetitionSummary,
    Estimate,
    SplitSummary,
    Summary,
    counted_runs,
    outcome_of,
    summarize,
)
from podium.runtime.reports.journal import (
    JournalError,
    JournalNode,
    SearchTree,
    best_node,
    journal_path,
    read_journal,
)
from podium.runtime.reports.svg import esc
from podium.runtime.store.records import RunRecord

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MEDAL_COLOURS = {"gold": "#d4a017", "silver": "#8a94a6", "bronze": "#b87333"}
MEDIAN_COLOUR = "#334155"
RATE_COLOURS = {"any_medal": "#2563eb", **MEDAL_COLOURS, "above_median": "#10b981"}
SCAFFOLD_COLOURS = ("#2563eb", "#dc2626", "#059669", "#7c3aed", "#db2777", "#0891b2", "#ea580c")
MAX_CHART_RUNS = 80  # more runs than this get the usage table only
MAX_PLAN_CHARS = 2000
PLAN_EXCERPT_CHARS = 110

CSS = """
:root{--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 24px 64px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:36px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:0 0 4px}
p{margin:6px 0}
.muted{color:var(--muted)}.small{font-size:12px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);font-size:13px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:600;font-size:12px;color:#334155;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ci{display:block;color:var(--muted);font-size:11px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:14px 0}
.cards{display:flex;flex-wrap:wrap;gap:14px}.cards .card{margin:0}
.legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;color:#334155;margin-top:8px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-2px}
.medal{padding:1px 8px;border-radius:9px;font-size:12px;font-weight:600;white-space:nowrap}
.medal.gold{background:#fdf3c4;color:#7a5a00}.medal.silver{background:#eceff3;color:#374151}
.medal.bronze{background:#f6e2d1;color:#7c3f12}.medal.none{color:var(--muted);font-weight:400}
.note{background:#fff7ed;border:1px solid #fed7aa;color:#7c2d12;border-radius:8px;padding:8px 12px;font-size:13px}
.status{font-family:ui-monospace,monospace;font-size:12px}
.tree ul{list-style:none;margin:0;padding-left:20px;border-left:1px dashed #cbd5e1}
.tree>ul{border-left:none;padding-left:0}
.tree li{margin:3px 0}
.node{font-family:ui-monospace,monospace;font-size:12px;background:#eef2ff;color:#3730a3;
  border-radius:4px;padding:0 5px}
.node.buggy{background:#fee2e2;color:#991b1b}.node.best{background:#dcfce7;color:#166534;font-weight:700}
details summary{cursor:pointer;color:var(--muted);font-size:12px}
.plan{white-space:pre-wrap;font-size:12px;margin:4px 0 6px;color:#334155}
code{font-family:ui-monospace,monospace;font-size:12px}
svg{max-width:100%;height:auto;display:block}
"""


def html_report(
    records: Iterable[RunRecord],
    leaderboards: Mapping[str, Leaderboard | None] | None = None,
    complexity: Mapping[str, str] | None = None,
    leaderboard_notes: Mapping[str, str] | None = None,
    title: str = "podium report",
) -> str:
    """The whole page. `leaderboards` maps competition ids to their human leaderboard (or None);
    `leaderboard_notes` says why one is missing."""
    records = list(records)
    summary = summarize(records, complexity)
    runs = counted_runs(records)
    body = [
        _header(summary, title),
        _aggregate_section(summary),
        _competition_section(summary, runs, leaderboards or {}, leaderboard_notes or {}),
        _usage_section(summary),
        _problems_section(runs),
        _journal_section(runs),
    ]
    return _page(title, body)


def _page(title: str, body: Sequence[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n<body><main>\n"
        + "\n".join(part for part in body if part)
        + "\n</main></body></html>\n"
    )


def _header(summary: Summary, title: str) -> str:
    suites = sorted({split.suite for split in summary.splits})
    facts = [f"{summary.runs_counted} runs", f"suites: {', '.join(suites) or 'none'}"]
    if summary.runs_unfinished:
        facts.append(f"{summary.runs_unfinished} still pending or running (left out)")
    if summary.attempts_superseded:
        facts.append(f"{summary.attempts_superseded} earlier attempts replaced by retries")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"<header><h1>{esc(title)}</h1><p class='muted'>{esc(' · '.join(facts))} · generated {when}</p></header>"


def _tag(tag: str, content: str, css: str = "") -> str:
    """An HTML element around already-escaped `content`."""
    return f'<{tag} class="{css}">{content}</{tag}>' if css else f"<{tag}>{content}</{tag}>"


def _table(headers: Sequence[tuple[str, str]], rows: Iterable[Sequence[str]]) -> str:
    """`headers` are (label, css class); cells are already-escaped HTML."""
    head = "".join(_tag("th", esc(label), css) for label, css in headers)
    body = "".join(
        "<tr>" + "".join(_tag("td", cell, css) for cell, (_, css) in zip(row, headers, strict=True)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _estimate_cell(value: Estimate | None, unit: str = "%", suffix: str = "") -> str:
    """`mean ± SEM`, with the 95% interval on a second, quieter line."""
    ci = fmt.interval(value, unit)
    return esc(fmt.with_sem(value, unit) + suffix) + (_tag("span", esc(ci), "ci") if ci else "")


# ---- aggregates -----------------------------------------------------------------------------


def _aggregate_section(summary: Summary) -> str:
    if not summary.splits:
        return "<h2>Aggregates</h2><p class='note'>No finished runs to aggregate.</p>"
    headers = [("suite · scaffold · split", ""), *((RATE_LABELS[name], "num") for name in DISPLAY_ORDER),
               ("human percentile", "num")]  # fmt: skip
    rows = [_aggregate_row(split) for split in summary.splits]
    explain = (
        "Percent of the split's competitions per seed, then mean ± SEM across seeds; [low, high] is the "
        "95% Student-t interval (absent with one seed). Missing runs count as no submission. Human "
        "percentile: percent of human teams beaten, over competitions with a leaderboard."
    )
    return (
        "<h2>Aggregates</h2>"
        + _table(headers, rows)
        + _tag("p", esc(explain), "muted small")
        + _pass_at_k_table(summary.splits)
        + _medal_charts(summary.splits)
    )


def _aggregate_row(split: SplitSummary) -> list[str]:
    size = f"{fmt.plural(len(split.competitions), 'competition')} {fmt.TIMES} {fmt.plural(len(split.seeds), 'seed')}"
    if split.missing_runs:
        size += f", {split.missing_runs} missing"
    name = _tag("strong", esc(f"{split.suite} · {split.scaffold_id} · {split.split}")) + _tag("span", esc(size), "ci")
    return [name, *(_estimate_cell(split.rates[rate]) for rate in DISPLAY_ORDER), _estimate_cell(split.percentile)]


def _pass_at_k_table(splits: Sequence[SplitSummary]) -> str:
    ks = sorted({row.k for split in splits for row in split.pass_at_k})
    if not ks:
        return ""
    headers = [("suite · scaffold · split", "")] + [(f"pass@{k} medal / valid", "num") for k in ks]
    rows = []
    for split in splits:
        by_k = {row.k: row for row in split.pass_at_k}
        cells = [esc(f"{by_k[k].any_medal:.1f}% / {by_k[k].valid:.1f}%") if k in by_k else fmt.DASH for k in ks]
        rows.append([esc(f"{split.suite} · {split.scaffold_id} · {split.split}"), *cells])
    explain = "pass@k: chance that at least one of k seeds succeeds (unbiased estimator over the seeds run)."
    return "<h3 style='margin-top:18px'>pass@k</h3>" + _table(headers, rows) + _tag("p", esc(explain), "muted small")


def _medal_charts(splits: Sequence[SplitSummary]) -> str:
    series_names = ("any_medal", "gold", "silver", "bronze", "above_median")
    series = [svg.Series(RATE_LABELS[name], RATE_COLOURS[name]) for name in series_names]
    groups: dict[tuple[str, str], list[SplitSummary]] = {}
    for split in splits:
        groups.setdefault((split.suite, split.scaffold_id), []).append(split)
    cards = []
    for (suite, scaffold), members in groups.items():
        bars = [[_bar(split.rates[name]) for name in series_names] for split in members]
        chart = svg.bar_chart([split.split for split in members], series, bars, f"medal rates of {scaffold}")
        cards.append(_tag("div", _tag("h3", esc(f"{suite} · {scaffold}")) + chart + _legend(series), "card"))
    return "<h3 style='margin-top:18px'>Medal rates per split</h3>" + _tag("div", "".join(cards), "cards")


def _bar(value: Estimate) -> svg.Bar:
    return svg.Bar(value.mean, value.ci_low, value.ci_high)


def _legend(series: Iterable[svg.Series]) -> str:
    items = (
        f"<span><span class='swatch' style='background:{esc(item.colour)}'></span>{esc(item.label)}</span>"
        for item in series
    )
    return _tag("div", "".join(items), "legend")


# ---- competitions ---------------------------------------------------------------------------


def _competition_section(
    summary: Summary,
    runs: Sequence[RunRecord],
    leaderboards: Mapping[str, Leaderboard | None],
    notes: Mapping[str, str],
) -> str:
    if not summary.competitions:
        return ""
    headers = [("competition", ""), ("scaffold", ""), ("suite", ""), ("score (mean ± SEM)", "num"), ("medals", ""),
               ("above median", "num"), ("percentile", "num"), ("valid", "num"), ("runs", "num")]  # fmt: skip
    table = _table(headers, [_competition_row(row) for row in summary.competitions])
    colours = _scaffold_colours(summary)
    plots = [
        _placement_card(competition, rows, runs, leaderboards.get(competition), notes.get(competition), colours)
        for competition, rows in _by_competition(summary.competitions).items()
    ]
    return "<h2>Competitions</h2>" + table + "".join(plots)


def _competition_row(row: CompetitionSummary) -> list[str]:
    arrow = "" if row.is_lower_better is None else (" ↓" if row.is_lower_better else " ↑")
    medal = row.best_medal or "none"
    return [
        esc(row.competition_id),
        esc(row.scaffold_id),
        esc(row.suite),
        _estimate_cell(row.score, unit="", suffix=arrow),
        f"<span class='medal {medal}'>{esc(fmt.medals(row))}</span>",
        esc(f"{row.above_median}/{row.runs}"),
        _estimate_cell(row.percentile),
        esc(f"{row.valid}/{row.runs}"),
        esc(row.runs),
    ]


def _by_competition(rows: Iterable[CompetitionSummary]) -> dict[str, list[CompetitionSummary]]:
    grouped: dict[str, list[CompetitionSummary]] = {}
    for row in rows:
        grouped.setdefault(row.competition_id, []).append(row)
    return dict(sorted(grouped.items()))


def _scaffold_colours(summary: Summary) -> dict[str, str]:
    scaffolds = sorted({row.scaffold_id for row in summary.competitions})
    return {scaffold: SCAFFOLD_COLOURS[i % len(SCAFFOLD_COLOURS)] for i, scaffold in enumerate(scaffolds)}


def _placement_card(
    competition: str,
    rows: Sequence[CompetitionSummary],
    runs: Sequence[RunRecord],
    leaderboard: Leaderboard | None,
    note: str | None,
    colours: Mapping[str, str],
) -> str:
    lower = next((row.is_lower_better for row in rows if row.is_lower_better is not None), None)
    metric = next((row.metric for row in rows if row.metric), None)
    facts = [f"metric {metric}"] if metric else []  # unknown when no run of it was graded
    if lower is not None:
        facts.append("lower is better" if lower else "higher is better")
    head = _tag("h3", esc(competition))
    if leaderboard is None:
        message = note or f"No human leaderboard for {competition}: the scores cannot be placed on a plot."
        return _tag(
            "div", head + _tag("p", esc(" · ".join(facts)), "muted small") + _tag("p", esc(message), "note"), "card"
        )
    facts.append(f"{leaderboard.n_teams} human teams")
    lines, legend = _placement_marks(competition, runs, leaderboard, colours)
    chart = svg.histogram(leaderboard.scores, lines, _medal_zones(leaderboard, bool(lower)), lower)
    caption = (
        "Bars: the human teams' final scores. Shading: the scores that earn gold, silver, bronze. "
        "Coloured lines: the agent's runs (a hollow circle is off the plotted range; hover for details)."
    )
    return _tag(
        "div",
        head
        + _tag("p", esc(" · ".join(facts)), "muted small")
        + chart
        + legend
        + _tag("p", esc(caption), "muted small"),
        "card",
    )


def _placement_marks(
    competition: str, runs: Sequence[RunRecord], leaderboard: Leaderboard, colours: Mapping[str, str]
) -> tuple[list[svg.Line], str]:
    limits = thresholds(leaderboard.scores)
    lines = [
        svg.Line(limits.gold, MEDAL_COLOURS["gold"], f"gold threshold {fmt.number(limits.gold)}"),
        svg.Line(limits.silver, MEDAL_COLOURS["silver"], f"silver threshold {fmt.number(limits.silver)}"),
        svg.Line(limits.bronze, MEDAL_COLOURS["bronze"], f"bronze threshold {fmt.number(limits.bronze)}"),
        svg.Line(limits.median, MEDIAN_COLOUR, f"median {fmt.number(limits.median)}", dashed=True),
    ]
    legend = [svg.Series(line.label, line.colour) for line in lines]
    shown: set[str] = set()
    for run in runs:
        score = outcome_of(run).score if run.competition_id == competition else None
        if score is None:
            continue
        colour = colours.get(run.scaffold_id, SCAFFOLD_COLOURS[0])
        lines.append(svg.Line(score, colour, f"{run.scaffold_id} seed {run.seed}: {fmt.number(score)}", agent=True))
        if run.scaffold_id not in shown:
            shown.add(run.scaffold_id)
            legend.append(svg.Series(f"agent: {run.scaffold_id}", colour))
    legend_html = _legend(legend)
    if not shown:
        legend_html += _tag("p", "No valid agent score to place.", "muted small")
    return lines, legend_html


def _medal_zones(leaderboard: Leaderboard, lower_is_better: bool) -> list[tuple[float, float, str]]:
    """Score ranges that earn each medal, shaded behind the histogram (from the threshold to the best end)."""
    limits = thresholds(leaderboard.scores)
    best = -math.inf if lower_is_better else math.inf
    edges = [best, limits.gold, limits.silver, limits.bronze]
    return [(edges[i], edges[i + 1], MEDAL_COLOURS[name]) for i, name in enumerate(("gold", "silver", "bronze"))]


# ---- usage, problems, search trees -----------------------------------------------------------


def _usage_section(summary: Summary) -> str:
    if not summary.usage:
        return ""
    headers = [("run", ""), ("status", ""), ("LLM calls", "num"), ("prompt tokens", "num"),
               ("completion tokens", "num"), ("total tokens", "num"), ("cost", "num"),
               ("wall time", "num")]  # fmt: skip
    rows = [
        [esc(f"{u.competition_id} · {u.scaffold_id} · seed {u.seed}"), _tag("span", esc(u.status), "status"),
         esc(u.llm_calls), esc(fmt.tokens(u.prompt_tokens)), esc(fmt.tokens(u.completion_tokens)),
         esc(fmt.tokens(u.total_tokens)), esc(fmt.dollars(u.cost_usd)), esc(_duration(u.wall_seconds))]
        for u in summary.usage
    ]  # fmt: skip
    chart = ""
    totals = [float(u.total_tokens) for u in summary.usage]
    if any(totals) and len(totals) <= MAX_CHART_RUNS:
        labels = [f"{u.competition_id} · {u.scaffold_id} · {u.seed}" for u in summary.usage]
        chart = _tag("div", _tag("h3", "Tokens per run") + svg.horizontal_bars(labels, totals, "tokens"), "card")
    means = _table(
        [("suite · scaffold", ""), ("runs", "num"), ("tokens / run", "num"), ("cost / run", "num")],
        [[esc(f"{split.suite} · {split.scaffold_id}"), esc(split.runs), esc(fmt.tokens(split.mean_tokens)),
          esc(fmt.dollars(split.mean_cost_usd))] for split in summary.splits if split.split == ALL_SPLIT],
    )  # fmt: skip
    return (
        "<h2>Tokens and cost per run</h2>" + means + "<div style='height:12px'></div>" + _table(headers, rows) + chart
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return fmt.DASH
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def _problems_section(runs: Sequence[RunRecord]) -> str:
    troubled = [run for run in runs if run.status != "succeeded" or (run.report or {}).get("error")]
    if not troubled:
        return ""
    headers = [("run", ""), ("status", ""), ("what happened", "")]
    rows = [[_tag("code", esc(run.run_id)), _tag("span", esc(run.status), "status"), esc(_problem(run))]
            for run in troubled]  # fmt: skip
    return "<h2>Runs with problems</h2>" + _table(headers, rows)


def _problem(run: RunRecord) -> str:
    report_error = (run.report or {}).get("error")
    return str(run.error or report_error or "no error message was recorded")


def _journal_section(runs: Sequence[RunRecord]) -> str:
    cards = [_journal_card(run) for run in runs if journal_path(run) is not None]
    if not cards:
        return ""
    explain = "Each run's search journal (logs/journal.json): green is the best working node, red a buggy one."
    return "<h2>Search trees</h2>" + _tag("p", esc(explain), "muted small") + "".join(cards)


def _journal_card(run: RunRecord) -> str:
    path = journal_path(run)
    head = _tag("h3", esc(f"{run.competition_id} · {run.scaffold_id} · seed {run.seed}"))
    try:
        tree = read_journal(path) if path else None
    except JournalError as error:
        return _tag("div", head + _tag("p", esc(str(error)), "note"), "card")
    if tree is None or not tree.nodes:
        return _tag("div", head + _tag("p", "The journal has no nodes.", "muted"), "card")
    lower = bool((run.report or {}).get("is_lower_better"))
    best = best_node(tree, lower)
    buggy = sum(bool(node.is_buggy) for node in tree.nodes)
    facts = f"{len(tree.nodes)} nodes, {buggy} buggy, best metric {fmt.number(best.metric if best else None)}"
    return _tag(
        "div", head + _tag("p", esc(facts), "muted small") + _tree_html(tree, best.id if best else None), "card"
    )


def _tree_html(tree: SearchTree, best_id: str | None) -> str:
    """Nested <ul> from the depth-first walk: open a list going down, close lists coming back up."""
    parts, depth, first = ["<div class='tree'><ul>"], 0, True
    for node_depth, node in tree.walk():
        if not first:
            # A depth-first walk goes down one level at a time but may come back up several.
            parts.append("<ul>" if node_depth > depth else "</li>" + "</ul></li>" * (depth - node_depth))
        parts.append("<li>" + _node_html(node, node.id == best_id))
        depth, first = node_depth, False
    if not first:
        parts.append("</li>" + "</ul></li>" * depth)
    parts.append("</ul></div>")
    return "".join(parts)


def _node_html(node: JournalNode, best: bool) -> str:
    css = "node best" if best else ("node buggy" if node.is_buggy else "node")
    bits = [f"metric {fmt.number(node.metric)}"] + (["buggy"] if node.is_buggy else []) + (["best"] if best else [])
    html = f"<span class='{css}'>#{esc(node.id)}</span> <span class='small muted'>{esc(' · '.join(bits))}</span>"
    plan = " ".join(node.plan.split())  # one line: plans are multi-line prose
    if not plan:
        return html
    if len(plan) <= PLAN_EXCERPT_CHARS:
        return html + f" <span class='small'>{esc(plan)}</span>"
    excerpt = plan[:PLAN_EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
    full = node.plan if len(node.plan) <= MAX_PLAN_CHARS else node.plan[:MAX_PLAN_CHARS] + " …"
    return html + f"<details><summary>{esc(excerpt)}</summary><div class='plan'>{esc(full)}</div></details>"
