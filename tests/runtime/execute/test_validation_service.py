"""The validation endpoint on its own: answers with the grading checks, counts and logs each call,
and never reads through a link an agent planted (the runtime may be root; the error could quote it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from runtime_world import COMPETITION, World

from podium.runtime.execute import Packages
from podium.runtime.execute.validation import ValidationService, copy_request
from podium.runtime.validate_client import main as client_main


@pytest.fixture
def service(world: World, tmp_path: Path) -> ValidationService:
    competition = Packages(world.packages).competition(COMPETITION).competition
    return ValidationService(tmp_path / "validate", competition, world.private / "test.csv", tmp_path / "v.log", 10**6)


def request(service: ValidationService, name: str, text: str) -> Path:
    path = service.requests / f"{name}.csv"
    path.write_text(text)
    return path


def test_answers_are_the_grading_checks_and_never_a_score(service: ValidationService, world: World) -> None:
    with service:
        sample = (world.data / COMPETITION / "prepared" / "public" / "sample_submission.csv").read_text()
        request(service, "good", sample)
        request(service, "short", sample.splitlines()[0] + "\n")
        service.sweep()
    assert (service.responses / "good.txt").read_text() == "valid\n"
    short = (service.responses / "short.txt").read_text()
    assert short.startswith("invalid: ") and any(ch.isdigit() for ch in short)  # says how many rows, no score
    assert service.calls == 2 and len(service.log.read_text().splitlines()) == 2
    assert not list(service.requests.iterdir())  # answered requests are removed
    assert (service.folder / "validate.py").is_file()  # the client the agent calls


def test_a_planted_link_is_refused_unread(service: ValidationService, world: World) -> None:
    with service:
        (service.requests / "link.csv").symlink_to(world.private / "test.csv")
        service.sweep()
    assert (service.responses / "link.txt").read_text().startswith("invalid: link.csv is a symbolic link")


def test_an_oversized_request_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2048)
    refused = copy_request(big, tmp_path / "copy.csv", max_bytes=1024)
    assert refused and "2,048 bytes" in refused and not (tmp_path / "copy.csv").exists()


def test_the_client_round_trip(
    service: ValidationService, world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VALIDATE_DIR", str(service.folder))
    sample = world.data / COMPETITION / "prepared" / "public" / "sample_submission.csv"
    with service:
        assert client_main([str(sample)]) == 0
    assert capsys.readouterr().out.strip() == "valid"
    assert service.calls == 1
    assert client_main([str(sample.with_name("missing.csv"))]) == 1  # nothing to send
    monkeypatch.setenv("VALIDATE_DIR", str(service.folder / "nowhere"))
    assert client_main([str(sample)]) == 2  # no endpoint: an error, not an answer
