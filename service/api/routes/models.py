"""GET /models: the loaded model cards, the providers each runs on, and any rejected model files."""

from fastapi import APIRouter
from pydantic import BaseModel

from service.api.deps import RegistryDep
from service.inference.card import ModelCard

router = APIRouter(tags=["models"])


class LoadedModelOut(BaseModel):
    card: ModelCard
    providers: list[str]


class RejectedModelOut(BaseModel):
    file: str
    reason: str


class ModelsResponse(BaseModel):
    models: list[LoadedModelOut]
    rejected: list[RejectedModelOut]


@router.get("/models", response_model=ModelsResponse)
async def list_models(registry: RegistryDep) -> ModelsResponse:
    return ModelsResponse(
        models=[LoadedModelOut(card=m.card, providers=m.providers) for m in registry.models.values()],
        rejected=[RejectedModelOut(file=r.file, reason=r.reason) for r in registry.rejected],
    )
