"""A one-off `podium grade` imports only what its metric needs: no scikit-learn or scipy for accuracy.

scikit-learn alone costs 0.8 s to import, more than reading and grading a 10k-row submission,
so these tests guard the import graph rather than a clock (timings are docs/bench-grading.md's).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("sklearn", "scipy", "shapely", "pycocotools")
IDS = [f"{n:04d}_01" for n in range(1, 101)]


def run_then_list_heavy_modules(code: str, cwd: Path) -> tuple[str, list[str]]:
    """Run `code` in a fresh interpreter; (its stdout before the last line, heavy modules loaded)."""
    script = f"import json, sys\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, check=True)
    *output, modules = result.stdout.strip().splitlines()
    return "\n".join(output), json.loads(modules)


def test_grading_an_accuracy_competition_imports_no_sklearn(specs_tree: Path, tmp_path: Path) -> None:
    answers, submission = tmp_path / "answers.csv", tmp_path / "submission.csv"
    answers.write_text("PassengerId,Transported\n" + "".join(f"{i},{n % 3 > 0}\n" for n, i in enumerate(IDS)))
    submission.write_text("PassengerId,Transported\n" + "".join(f"{i},True\n" for i in reversed(IDS)))
    args = ["grade", str(submission), "--competition", "spaceship-titanic", "--answers", str(answers), "--json"]
    code = (
        f"from podium.cli import app\ntry:\n    app({args!r})\nexcept SystemExit as done:\n    assert not done.code\n"
    )
    # cwd holds the copied specs/, so the catalog is found there as a user's shell would find it.
    report, heavy = run_then_list_heavy_modules(code, cwd=specs_tree.parent)
    assert json.loads(report)["score"] == pytest.approx(66 / 100)  # the grade really ran
    assert heavy == []


@pytest.mark.parametrize("name", ["accuracy", "top1-error", "rmse", "mae", "normalized-levenshtein", "map-at-k"])
def test_finding_a_tabular_or_text_metric_imports_no_heavy_library(name: str, tmp_path: Path) -> None:
    code = f"from podium.runtime.grading.registry import get_metric\nprint(get_metric({name!r}).name)"
    output, heavy = run_then_list_heavy_modules(code, cwd=tmp_path)
    assert output == name
    assert heavy == []


def test_a_metric_that_needs_sklearn_still_gets_it(tmp_path: Path) -> None:
    code = (
        "import pandas as pd\nfrom podium.runtime.grading.registry import get_metric\n"
        "frame = pd.DataFrame({'id': [1, 2, 3, 4], 'y': [0, 1, 0, 1]})\n"
        "pred = frame.assign(y=[0.1, 0.9, 0.8, 0.7])\n"
        "print(get_metric('auc')(frame, pred, id_column='id', targets=['y']))"
    )
    output, heavy = run_then_list_heavy_modules(code, cwd=tmp_path)
    assert float(output) == pytest.approx(0.75)
    assert "sklearn" in heavy
