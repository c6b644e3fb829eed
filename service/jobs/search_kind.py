"""The ``search`` job kind: a search over a space, scored by one model in the worker's own session."""

from functools import cache
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from service.inference.onnx_scoring import score_cells
from service.inference.registry import LoadedModel, ModelNotFoundError, card_path_of, load_model
from service.inference.stored import load_stored
from service.jobs.kind import JobContext, JobKind, JobStopped
from service.jobs.schemas import SEARCH_REQUEST, Candidate, SearchProgress, SearchRequest, SearchResultOut
from service.search import Progress, run_search
from service.search.types import SearchResult
from service.spaces import Space


@cache
def _model(
    models_dir: Path, providers: tuple[str, ...], model_id: str, sessions: sessionmaker[Session]
) -> LoadedModel:
    """The job's model (a shipped file, else one stored by a training job) in this process's own
    ONNX Runtime session, opened once per model."""
    try:
        return load_model(card_path_of(models_dir, model_id), providers)
    except ModelNotFoundError:
        with sessions() as db:
            stored = load_stored(db, model_id, providers)
        if stored is None:
            raise
        return stored


def result_out(space: Space, result: SearchResult) -> SearchResultOut:
    return SearchResultOut(
        top=[
            Candidate(
                cell=space.to_json(c.cell), score=c.score, hash=c.identity, params=c.params, flops=c.flops
            )
            for c in result.top
        ],
        evaluated=result.evaluated,
        generations=result.generations,
        wall_seconds=result.wall_seconds,
    )


def run_search_job(context: JobContext, request: SearchRequest) -> SearchResultOut:
    config = context.config
    assert context.model_id is not None  # create_search always picks one
    space = context.spaces[request.space]
    model = _model(config.models_dir, config.providers, context.model_id, context.sessions)

    def on_progress(progress: Progress) -> None:
        context.report(
            SearchProgress(
                fraction=request.fraction(progress),
                evaluated=progress.evaluated,
                generation=progress.generation,
                best_score=progress.best_score,
            )
        )

    result = run_search(
        request.strategy,
        space,
        lambda cells: score_cells(model, space, cells, batch_size=config.batch_size),
        top_k=request.top_k,
        seed=request.seed,
        params=request.params,
        max_params=request.max_params,
        max_flops=request.max_flops,
        on_progress=on_progress,
        should_stop=context.should_stop,
    )
    if result.cancelled:
        raise JobStopped
    return result_out(space, result)


SEARCH = JobKind(
    name="search",
    queue="search",
    request=SEARCH_REQUEST,
    progress=SearchProgress,
    result=SearchResultOut,
    run=run_search_job,
)
