"""Fetch a competition's human leaderboard into the cache `find_leaderboard` reads.

Three origins: a local folder laid out `<id>/leaderboard.csv` (an MLE-bench checkout, or a
copy of its competitions folder), Kaggle's API, and MLE-bench's public store on GitHub (its
leaderboards are Git LFS objects, so they are read from GitHub's media host). Whatever the
origin, the file is read, checked against the spec's pin and the grader's direction, and only
then written to `<user cache>/podium/leaderboards/<id>/leaderboard.csv`.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Literal

from podium.runtime.data.paths import cache_dir
from podium.runtime.data.sources import DataError
from podium.runtime.grading.leaderboard import LEADERBOARD_FILE, Leaderboard, LeaderboardError
from podium.runtime.spec.resolved import ResolvedCompetition

Origin = Literal["kaggle", "mlebench"] | Path
MLEBENCH_MEDIA_URL = (
    "https://media.githubusercontent.com/media/openai/mle-bench/main/mlebench/competitions/{id}/leaderboard.csv"
)
LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"
DOWNLOAD_TIMEOUT = 60  # seconds without a byte before the MLE-bench download gives up


def leaderboard_cache_path(competition_id: str) -> Path:
    """Where fetched leaderboards go: the cache folder `find_leaderboard` searches last."""
    return cache_dir() / "leaderboards" / competition_id / LEADERBOARD_FILE


def fetch_leaderboard(competition: ResolvedCompetition, origin: Origin) -> Path:
    """Fetch, check (pin, then direction) and cache a competition's leaderboard; return its path."""
    if isinstance(origin, Path):
        data = read_from_folder(competition.id, origin)
    elif origin == "kaggle":
        data = download_from_kaggle(competition.leaderboard.kaggle or competition.id, competition)
    elif origin == "mlebench":
        data = download_from_mlebench(competition.id)
    else:
        raise DataError(f"unknown leaderboard origin {origin!r}; use kaggle, mlebench or a folder")
    return accept_into_cache(competition, data, origin)


def accept_into_cache(competition: ResolvedCompetition, data: bytes, origin: Origin) -> Path:
    target = leaderboard_cache_path(competition.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Checked from a temp file beside the target, so a rejected file never reaches the cache.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as handle:
        handle.write(data)
        candidate = Path(handle.name)
    try:
        leaderboard = Leaderboard.from_csv(candidate)
        leaderboard.check_pin(competition.leaderboard.sha256)
        leaderboard.check_direction(competition.grader.direction)
        os.replace(candidate, target)
    except LeaderboardError as error:
        raise DataError(f"the leaderboard from {origin} was not accepted: {error}") from None
    finally:
        candidate.unlink(missing_ok=True)  # a no-op once the file was moved into place
    return target


def read_from_folder(competition_id: str, folder: Path) -> bytes:
    """`<folder>/<id>/leaderboard.csv`, also from an MLE-bench checkout's root or a file path."""
    folder = Path(os.path.expandvars(folder)).expanduser()
    candidates = [
        folder / competition_id / LEADERBOARD_FILE,
        folder / "mlebench" / "competitions" / competition_id / LEADERBOARD_FILE,
        folder / LEADERBOARD_FILE,
    ]
    path = folder if folder.is_file() else next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise DataError(
            f"no leaderboard for {competition_id} in {folder}: expected "
            f"{candidates[0]} (a folder laid out <competition-id>/{LEADERBOARD_FILE})"
        )
    data = path.read_bytes()
    if data.startswith(LFS_POINTER_PREFIX):
        raise DataError(
            f"{path} is a Git LFS pointer, not the leaderboard: run `git lfs pull` in that "
            "checkout, or use another folder"
        )
    return data


def download_from_mlebench(competition_id: str) -> bytes:
    url = MLEBENCH_MEDIA_URL.format(id=competition_id)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            data: bytes = response.read()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DataError(
            f"could not download MLE-bench's leaderboard for {competition_id} from {url} "
            f"({reason}). Without internet access, point at a local copy: `podium leaderboard "
            f"fetch {competition_id} --from DIR`, DIR holding {competition_id}/{LEADERBOARD_FILE} "
            "(e.g. an MLE-bench checkout's mlebench/competitions folder after `git lfs pull`)."
        ) from None
    if data.startswith(LFS_POINTER_PREFIX):
        raise DataError(f"{url} returned a Git LFS pointer instead of the leaderboard; try --from DIR")
    return data


def download_from_kaggle(slug: str, competition: ResolvedCompetition) -> bytes:
    """Kaggle's leaderboard download (a zip of one CSV), rewritten with a `score` column."""
    from podium.runtime.data.sources.kaggle import authenticated_api, call_kaggle

    api = authenticated_api()
    with tempfile.TemporaryDirectory() as folder:
        call_kaggle(lambda: api.competition_leaderboard_download(slug, folder, quiet=True), slug)
        archives = list(Path(folder).glob("*.zip"))
        if not archives:
            raise DataError(f"Kaggle's leaderboard download for {slug} returned no zip")
        with zipfile.ZipFile(archives[0]) as opened:
            names = [n for n in opened.namelist() if n.lower().endswith(".csv")]
            if not names:
                raise DataError(f"Kaggle's leaderboard zip for {slug} holds no CSV")
            text = opened.read(names[0]).decode("utf-8-sig")
    return kaggle_csv_to_leaderboard(text, competition.grader.direction == "maximize")


def kaggle_csv_to_leaderboard(text: str, higher_is_better: bool) -> bytes:
    """Kaggle's CSV (TeamId, TeamName, SubmissionDate, Score) as rows best first, `score` named.

    Kaggle's column is `Score`; grading reads `score`. Rows are sorted best first (stable, so
    Kaggle's order of ties is kept), the order placement relies on.
    """
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = list(rows[0].keys()) if rows else []
    score_field = next((f for f in fields if f.lower() == "score"), None)
    if score_field is None:
        raise DataError(f"Kaggle's leaderboard CSV has no Score column (columns: {', '.join(fields)})")
    scored = [row for row in rows if _is_number(row[score_field])]
    scored.sort(key=lambda row: float(row[score_field]), reverse=higher_is_better)
    renamed = ["score" if f == score_field else f for f in fields]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(renamed)
    writer.writerows([row[f] for f in fields] for row in scored)
    return out.getvalue().encode()


def _is_number(value: str | None) -> bool:
    """Kaggle leaves the score of an errored submission empty; such rows are not placed."""
    try:
        return math.isfinite(float(value or ""))
    except ValueError:
        return False
