"""Resolve authoring documents into the frozen specs the runtime executes."""

from __future__ import annotations

from podium.generator.catalog import Catalog
from podium.runtime.spec import ResolvedCompetition, ResolvedGrader


def resolve_grader(catalog: Catalog, grader_id: str, params: dict[str, object]) -> ResolvedGrader:
    grader = catalog.grader(grader_id)
    return ResolvedGrader(
        id=grader.id,
        implementation=grader.implementation,
        direction=grader.direction,
        inputs=grader.inputs,
        params={**grader.params, **params},  # the competition's params override the defaults
        version=grader.version,
    )


def resolve_competition(catalog: Catalog, competition_id: str) -> ResolvedCompetition:
    entry = catalog.competitions[competition_id]
    competition = catalog.competition(competition_id)
    description = (entry.folder / competition.description).read_text(encoding="utf-8")
    return ResolvedCompetition(
        id=competition.id,
        name=competition.name,
        modality=competition.modality,
        complexity=competition.complexity,
        description=description,
        source=competition.source,
        prepare=competition.prepare,
        grader=resolve_grader(catalog, competition.grader.metric, competition.grader.params),
        leaderboard=competition.leaderboard,
        limits=competition.limits,
        known_issues=competition.known_issues,
    )
