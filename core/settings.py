"""The one settings object: read from `SHOPASSIST_*` environment variables and command-line flags, passed down.

Nothing else in shopassist reads `os.environ`; components receive the values they need from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """Everything a deployment can configure, with defaults that run the demo on a laptop."""

    model_config = SettingsConfigDict(env_prefix="SHOPASSIST_", extra="ignore")

    home: Path = Field(default=Path("~/.shopassist"), description="Data directory (database, index, models).")
    db: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite in the data directory.")

    embedding_model: str = Field(default=DEFAULT_EMBEDDING_MODEL, description="Hub id or local path.")
    # Live turns' utterances run on ONNX Runtime when the model is on a CPU: twice as fast as PyTorch for one
    # short text (retrieval/onnx_forward.py). "torch" keeps PyTorch; a model on a GPU always runs on PyTorch.
    embedding_runtime: Literal["onnx", "torch"] = "onnx"
    cache_dir: Path = Field(
        default=Path("~/.cache/shopassist"),
        description="Files derived from models, shared by data directories.",
    )
    currency: str = Field(default="USD", description="Currency of imported prices that name none.")
    results_per_reply: int = Field(default=5, ge=1, le=20, description="Products shown per search.")
    # Exact search below this many products; an approximate index (`ann_kind`) from there on.
    ann_threshold: int = Field(default=50_000, ge=1)
    ann_kind: Literal["hnsw", "ivf"] = Field(
        default="ivf", description="The approximate index for large catalogs: IVF or HNSW."
    )

    intent_threshold: float = Field(
        default=0.45,
        ge=0.0,
        le=1.0,
        description="Below this confidence the assistant asks instead of guessing.",
    )
    # Epochs of tuning a copy of the encoder on the intent examples (0: frozen embeddings, the default: tuning
    # costs most of a first start and gains little on shoppers' own words; docs/understanding.md).
    intent_fine_tune_epochs: int = Field(default=0, ge=0, le=20)
    intent_second_encoder: str | None = Field(
        default="sentence-transformers/all-mpnet-base-v2",
        description="The stronger encoder asked about unsure turns (hub id or local path; empty: none).",
    )
    intent_second_opinion_below: float = Field(
        default=0.7,
        ge=0.0,
        le=1.0,
        description="Below this confidence of the first reading, the second encoder is asked.",
    )
    intent_llm: Literal["off", "fallback", "always"] = Field(
        default="off",
        description="Ask the LLM for the intent: never, when the classifier is unsure, or always.",
    )
    intent_llm_reader: Literal["tuned", "prompted"] = Field(
        default="tuned",
        description="Which LLM reads intents: Gemma 3 270M with the tuned LoRA adapter (intent and slots as JSON), or the reply LLM prompted with examples.",
    )
    intent_llm_adapter: Path | None = Field(
        default=None,
        description="The LoRA adapter of the tuned reader (default: the one shipped with shopassist).",
    )

    llm_backend: Literal["auto", "template", "transformers", "openai"] = Field(
        default="auto",
        description="Who phrases replies: templates, a local transformers model, or an OpenAI-compatible server; auto uses a local model only on a GPU.",
    )
    llm_model: str | None = Field(
        default=None,
        description="The LLM: a hub id or local path (transformers), or the served model's name (openai).",
    )
    llm_gguf_file: str | None = Field(
        default=None, description="The GGUF file inside the model path, for a quantised local model."
    )
    llm_base_url: str | None = Field(
        default=None, description="The OpenAI-compatible server's /v1 URL (vLLM, llama.cpp, …)."
    )
    llm_api_key: str | None = Field(default=None, description="The key that server asks for, if any.")
    # The `openai` backend: seconds to wait for the server, and how often to retry before using the templates.
    llm_timeout_seconds: float = Field(default=30.0, gt=0)
    llm_retries: int = Field(
        default=2, ge=0, le=10, description="Retries of a failed request to the LLM server."
    )
    # For a model without a system role (Gemma) on a server whose chat format drops system messages.
    llm_merge_system_prompt: bool = False

    # The store's policies: the only policy statements the assistant makes.
    shipping_policy: str = (
        "Standard delivery takes 3-5 business days and is free on orders over $50 ($4.99 otherwise); "
        "express delivery takes 1-2 business days for $12.99. We ship within the US and Canada."
    )
    payment_policy: str = Field(
        default=(
            "We accept Visa, Mastercard, American Express, PayPal, Apple Pay and cash on delivery. "
            "If a card is declined, please check the billing address or try another payment method."
        ),
        description="The payment policy the assistant states.",
    )
    return_policy: str = Field(
        default=(
            "Items can be returned within 30 days of delivery for a full refund to the original payment method; "
            "refunds are issued within 5 business days of receiving the item."
        ),
        description="The return policy the assistant states.",
    )

    abandon_after_minutes: float = Field(
        default=30.0,
        gt=0,
        description="Minutes idle in cart or checkout before a conversation counts as abandoned.",
    )
    # Off: replies keep the templates' own closing question, no nudges (to measure what guidance is worth).
    guidance: bool = True
    sweep_interval_seconds: float = Field(default=60.0, gt=0, description="How often the server sweeps.")
    max_message_chars: int = Field(
        default=4000, ge=1, description="Longer shopper messages are refused (HTTP 413) and not stored."
    )
    # Turns computed at once per process; more wait in arrival order (assistant/turn_queue.py). Unset: 2 when
    # templates write the replies, whose turns only compute and share one interpreter; 8 when an LLM writes
    # them, so that concurrent generations share a batch (docs/performance.md).
    concurrent_turns: int | None = Field(default=None, ge=1, le=256)

    # Access: shopper tokens, rate limits (in-process, per server process), console logins, and which sites
    # may frame the chat (CSP frame-ancestors, space-separated sources) or call the API from a browser (CORS).
    token_ttl_hours: float = Field(default=720.0, gt=0, description="A shopper token's lifetime.")
    shopper_token_secret: SecretStr | None = Field(
        default=None,
        description="Shared with the store's backend, which signs its logged-in shopper's id with it (HMAC-SHA256) "
        "for the widget's data-shopper-token; unset: no shopper tokens are accepted.",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of the store's backend for POST /api/v1/orders/{id}/status; unset: that "
        "endpoint is closed.",
    )
    messages_per_minute_per_conversation: int = Field(
        default=20, ge=1, description="Messages one conversation may send per minute."
    )
    requests_per_minute_per_ip: int = Field(
        default=120, ge=1, description="API requests one client address may make per minute."
    )
    console_login_failures: int = Field(default=5, ge=1, description="Failed logins per IP before a pause.")
    console_login_lockout_minutes: float = Field(
        default=15.0,
        gt=0,
        description="How long a client address waits after too many failed console logins.",
    )
    frame_ancestors: str = Field(
        default="*",
        pattern=r"^[A-Za-z0-9'*:/.\- ]+$",
        description="Sites that may frame the chat widget (CSP frame-ancestors sources, space-separated).",
    )
    cors_origins: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9*:/.\- ]*$",
        description="Origins that may call the API from a browser (space-separated; empty: none).",
    )

    # Privacy: what is redacted before it is stored or logged, and how long conversations are kept (0: always).
    redact_emails: bool = Field(default=True, description="Redact email addresses before storing or logging.")
    redact_phones: bool = Field(default=True, description="Redact phone numbers before storing or logging.")
    redact_cards: bool = Field(default=True, description="Redact card numbers before storing or logging.")
    retention_days: float = Field(
        default=365.0,
        ge=0,
        description="Conversations idle longer than this are forgotten by the retention sweep (0: kept).",
    )
    log_format: Literal["text", "json"] = Field(default="text", description="Log lines as text or JSON.")

    host: str = Field(default="127.0.0.1", description="Where `serve` listens.")
    port: int = Field(default=7860, ge=1, le=65535, description="The port `serve` listens on.")

    @computed_field
    @property
    def data_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @computed_field
    @property
    def database_url(self) -> str:
        return self.db or f"sqlite:///{self.data_dir / 'shopassist.db'}"

    @property
    def onnx_cache(self) -> Path | None:
        """Where the encoders' ONNX exports are kept, or None when the embedding runtime is PyTorch."""
        return self.cache_dir.expanduser().resolve() / "onnx" if self.embedding_runtime == "onnx" else None

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def intent_model_dir(self) -> Path:
        """Trained intent models, one folder per data and encoders: every data directory reuses them."""
        return self.cache_dir.expanduser().resolve() / "intent-models"

    @property
    def propensity_dir(self) -> Path:
        """Where `shopassist journey train` saves the purchase-propensity model."""
        return self.data_dir / "propensity"
