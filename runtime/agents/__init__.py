"""Agents: the scaffolds a generated scaffold package runs (`agent/start.py` dispatches here).

    baseline   a cross-validated gradient-boosting model for tabular competitions, no LLM
    aide       AIDE's tree search (drafts, debugging, greedy improvement) over LLM-written programs
    contract   the agent container contract as an agent sees it: folders, task card, checks

Each agent module has `main(argv) -> exit code`, takes its folders from options or MLE-bench's
environment variables (defaults under /home) and never needs the answers.
"""
