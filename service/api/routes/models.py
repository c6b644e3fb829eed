"""GET /models: the shipped model cards (with the providers each runs on), the models the service's
jobs trained (stored in the database, opened on first use), and any rejected model files."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from service.api.deps import RegistryDep, SessionDep
from service.inference.card import ModelCard
from service.inference.stored import stored_cards

router = APIRouter(tags=["models"])


class LoadedModelOut(BaseModel):
    card: ModelCard
    providers: list[str] = Field(description="where it runs; empty for a stored model not opened yet here")
    stored: bool = Field(False, description="trained by this service's jobs and kept in its database")


class RejectedModelOut(BaseModel):
    file: str
    reason: str


class ModelsResponse(BaseModel):
    models: list[LoadedModelOut]
    rejected: list[RejectedModelOut]


@router.get("/models", response_model=ModelsResponse)
def list_models(registry: RegistryDep, db: SessionDep) -> ModelsResponse:
    files = [LoadedModelOut(card=m.card, providers=m.providers) for m in registry.models.values()]
    stored = [LoadedModelOut(card=card, providers=[], stored=True) for card in stored_cards(db)]
    return ModelsResponse(
        models=files + stored,
        rejected=[RejectedModelOut(file=r.file, reason=r.reason) for r in registry.rejected],
    )
