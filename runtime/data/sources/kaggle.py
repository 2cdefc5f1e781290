"""Raw files from Kaggle itself, through the official `kaggle` package (the `kaggle` extra).

The zip lands in `raw_dir` and stays there: the Kaggle client resumes a partial download on
the next run, and a finished one is reused. The package is imported lazily, with its stdout
silenced, because importing it prints a login help page when no credentials are set.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from podium.runtime.data.sources._common import (
    DataError,
    archive_members,
    check_sha256,
    extract_files,
    is_archive,
    watch_download,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from podium.runtime.spec.parts import KaggleSource

T = TypeVar("T")

MISSING_PACKAGE = (
    "the `kaggle` package is not installed: run `pip install 'podium[kaggle]'` (or "
    "`pip install kaggle`), then run the command again."
)
MISSING_CREDENTIALS = (
    "no Kaggle credentials found: create an API token at https://www.kaggle.com/settings "
    "(API → Create New Token) and save it as ~/.kaggle/kaggle.json (chmod 600), or set "
    "KAGGLE_USERNAME and KAGGLE_KEY (newer tokens: KAGGLE_API_TOKEN), then run the command again."
)


def fetch(
    source: KaggleSource,
    competition_id: str,
    raw_dir: Path,
    *,
    spec_dir: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    slug = source.competition or competition_id
    api = authenticated_api()
    with watch_download(progress, raw_dir, f"kaggle: {slug}"):
        # force=False lets the client resume a partial zip and skip a complete one.
        call_kaggle(
            lambda: api.competition_download_files(slug, path=str(raw_dir), force=False, quiet=True),
            slug,
        )
    archive = downloaded_archive(raw_dir, slug)
    check_sha256(archive, source.sha256, f"the Kaggle download of {slug}")
    wanted = source.files or archive_members(archive)
    return extract_files(archive, {name: name for name in wanted}, raw_dir)


def downloaded_archive(raw_dir: Path, slug: str) -> Path:
    """The bundle the client saved: `<slug>.zip`, or `<slug>.<ext>` when Kaggle serves another format."""
    candidates = sorted(path for path in raw_dir.glob(f"{slug}.*") if is_archive(path))
    if not candidates:
        raise DataError(f"the Kaggle download of {slug} left no {slug}.zip in {raw_dir}")
    return candidates[0]


def authenticated_api() -> Any:
    """A logged-in `KaggleApi`, or a DataError saying how to install the package or log in."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            from kaggle.api.kaggle_api_extended import KaggleApi
    except ImportError:
        raise DataError(MISSING_PACKAGE) from None
    except (Exception, SystemExit):  # kaggle < 1.7 raises at import when credentials are missing
        raise DataError(MISSING_CREDENTIALS) from None
    api = KaggleApi()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            api.authenticate()  # prints help and calls exit(1) when nothing is configured
    except (Exception, SystemExit):
        raise DataError(MISSING_CREDENTIALS) from None
    return api


def call_kaggle(action: Callable[[], T], slug: str) -> T:
    """Run one Kaggle API call, turning its HTTP and network errors into one-paragraph ones."""
    try:
        return action()
    except Exception as error:
        raise DataError(explain_kaggle_error(error, slug)) from None


def explain_kaggle_error(error: Exception, slug: str) -> str:
    status = http_status(error)
    if status == 403:
        return (
            f"Kaggle refused access to {slug} (HTTP 403): accept the competition's rules at "
            f"https://www.kaggle.com/competitions/{slug}/rules with the account your token "
            "belongs to, then run the command again."
        )
    if status == 401:
        return f"Kaggle rejected the credentials (HTTP 401): {MISSING_CREDENTIALS}"
    if status == 404:
        return f"Kaggle has no competition {slug!r} (HTTP 404); check the slug in the spec."
    if status is not None:
        return f"Kaggle answered HTTP {status} for {slug}: {error}. Try again later."
    if _is_network_error(error):
        return (
            f"could not reach Kaggle to download {slug}: {type(error).__name__}. Check the network "
            "and the HTTPS_PROXY setting; data already downloaded to the raw folder is kept."
        )
    return f"the Kaggle client failed on {slug}: {type(error).__name__}: {error}"


def http_status(error: Exception) -> int | None:
    """The HTTP status of a `requests` error (kaggle >= 1.7) or an ApiException (older)."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None) or getattr(error, "status", None)
    return status if isinstance(status, int) else None


def _is_network_error(error: Exception) -> bool:
    try:
        import requests
    except ImportError:
        return isinstance(error, ConnectionError | TimeoutError)
    network = (requests.ConnectionError, requests.Timeout, ConnectionError, TimeoutError)
    return isinstance(error, network)
