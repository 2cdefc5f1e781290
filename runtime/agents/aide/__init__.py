"""AIDE as a podium scaffold: a tree search over programs a language model writes.

    drafts ─▶ debug buggy leaves (probability debug_prob, at most max_debug_depth in a row)
           └▶ improve the best node greedily

Unlike AIDE, each program runs in its own process group under the step timeout, reports its
validation score as a structured line (`{"podium_metric": …}`) rather than through a second
model reading its output, and its submission passes the grader's submission checks before the
node counts; the final submission is the best valid node's. `main(argv)` is the entry point.

    extract   the program and plan in a model's answer
    journal   nodes, saved atomically after each step, resumed from
    policy    which node next (seeded per step), search params
    prompts   what the model is told
    runner    running a program under a timeout, reading and checking its metric
    agent     the loop
"""

from podium.runtime.agents.aide.agent import AideAgent, SearchSetup, StopSearch
from podium.runtime.agents.aide.journal import Journal, JournalError, Node, load_journal, save_journal
from podium.runtime.agents.aide.main import main
from podium.runtime.agents.aide.policy import SearchParams, choose_parent, stage_for, step_rng

__all__ = [
    "AideAgent",
    "Journal",
    "JournalError",
    "Node",
    "SearchParams",
    "SearchSetup",
    "StopSearch",
    "choose_parent",
    "load_journal",
    "main",
    "save_journal",
    "stage_for",
    "step_rng",
]
