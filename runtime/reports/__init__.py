"""Reports over run records: multi-seed aggregates, a terminal table, JSON and one HTML file.

Every entry point takes the run records (`podium.runtime.store.records.RunRecord`) rather than
the store, so reports are computed the same way from a store, a test or a notebook:

    summarize(records, complexity) -> Summary        aggregate.py: rates, pass@k, percentiles
    report_table(records, complexity) -> Group        table.py: rich renderable for the terminal
    json_report(records, complexity) -> dict          json_report.py: MLE-bench's grading report + aggregates
    html_report(records, leaderboards, ...) -> str    html.py: one self-contained HTML page

`complexity` maps competition ids to low/medium/high (the competition specs' `complexity`).
"""
