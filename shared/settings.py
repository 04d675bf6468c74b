"""Settings every service shares, read from the environment (12-factor)."""
from pydantic import AliasChoices, Field, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict


def env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class CommonSettings(BaseSettings):
    """Subclasses set `env_prefix` (e.g. OVERDUE_); each field also accepts its plain shared name."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str = ""  # per service: see service_settings
    http_host: str = "0.0.0.0"
    http_port: int = 8080
    consumer_group: str = ""

    kafka_bootstrap_servers: str = Field("127.0.0.1:19092", validation_alias=env("KAFKA_BOOTSTRAP_SERVERS"))
    loan_events_topic: str = Field("loan-events", validation_alias=env("LOAN_EVENTS_TOPIC"))
    clock_topic: str = Field("clock", validation_alias=env("CLOCK_TOPIC"))
    delinquency_events_topic: str = Field("delinquency-events", validation_alias=env("DELINQUENCY_EVENTS_TOPIC"))
    outreach_events_topic: str = Field("outreach-events", validation_alias=env("OUTREACH_EVENTS_TOPIC"))
    dispatch_events_topic: str = Field("dispatch-events", validation_alias=env("DISPATCH_EVENTS_TOPIC"))
    agreement_events_topic: str = Field("agreement-events", validation_alias=env("AGREEMENT_EVENTS_TOPIC"))
    portfolio_time_zone: str = Field("Asia/Shanghai", validation_alias=env("PORTFOLIO_TIME_ZONE"))
    log_level: str = Field("INFO", validation_alias=env("LOG_LEVEL"))
    api_tokens: str = Field(
        "",
        validation_alias=env("API_TOKENS"),
        description="comma-separated token:role pairs accepted as bearer tokens",
    )
    consumer_max_records: int = Field(5000, validation_alias=env("CONSUMER_MAX_RECORDS"))
    db_pool_max_size: int = Field(10, validation_alias=env("DB_POOL_MAX_SIZE"))
    relay_batch_size: int = Field(2000, validation_alias=env("RELAY_BATCH_SIZE"))
    outbox_retention_seconds: int = Field(3600, validation_alias=env("OUTBOX_RETENTION_SECONDS"))
    inbox_retention_days: int = Field(30, ge=1, validation_alias=env("INBOX_RETENTION_DAYS"))
    topic_partitions: int = Field(4, validation_alias=env("TOPIC_PARTITIONS"))
    migrate_on_start: bool = Field(
        True, validation_alias=env("MIGRATE_ON_START"),
        description="false where migrations run as their own job (`python -m services.<name> migrate`)",
    )
    schema_wait_seconds: float = Field(
        240.0, ge=0, validation_alias=env("SCHEMA_WAIT_SECONDS"),
        description="with MIGRATE_ON_START=false: how long to wait for pending migrations before giving up",
    )
    clock_max_jump_seconds: float = Field(
        366 * 86400.0, gt=0, validation_alias=env("CLOCK_MAX_JUMP_SECONDS"),
        description="a clock tick further than this past the last one is refused (dead-lettered, clock_jump)",
    )
    clock_max_skew_seconds: float = Field(
        0.0, ge=0, validation_alias=env("CLOCK_MAX_SKEW_SECONDS"),
        description="a tick further than this from its record's broker timestamp is refused (clock_skew);"
                    " 0 turns the check off, as simulated time needs",
    )
    consumer_instance_id: str | None = Field(
        None, validation_alias=env("CONSUMER_INSTANCE_ID"),
        description="static group membership (Kubernetes: the pod name): a restarted replica takes its"
                    " partitions back at once instead of waiting for the group to drop the dead member",
    )
    consumer_session_timeout_ms: int = Field(
        10_000, ge=6_000, le=300_000, validation_alias=env("CONSUMER_SESSION_TIMEOUT_MS"),
        description="how long the group waits for a silent member before giving its partitions away",
    )
    liveness_stall_seconds: float = Field(
        600.0, gt=0, validation_alias=env("LIVENESS_STALL_SECONDS"),
        description="/healthz fails when the consumer or relay holds one batch longer than this while"
                    " every dependency answers (the first end of day of a large book takes minutes)",
    )
    create_topics: bool = Field(
        True, validation_alias=env("CREATE_TOPICS"),
        description="false where topics are managed elsewhere (e.g. Strimzi KafkaTopic resources)",
    )


def service_settings(service: str, *, http_port: int, consumer_group: str) -> type[CommonSettings]:
    """The settings every service restates under its own prefix: `<SERVICE>_DATABASE_URL` (or
    `DATABASE_URL`), `_HTTP_HOST`, `_HTTP_PORT`, `_CONSUMER_GROUP`, with the local stack's defaults."""
    prefix = service.upper()
    return create_model(  # type: ignore[call-overload, no-any-return]
        f"{service.title()}CommonSettings",
        __base__=CommonSettings,
        database_url=(str, Field(f"postgresql://{service}:{service}@127.0.0.1:15432/{service}",
                                 validation_alias=env(f"{prefix}_DATABASE_URL", "DATABASE_URL"))),
        http_host=(str, Field("0.0.0.0", validation_alias=env(f"{prefix}_HTTP_HOST", "HTTP_HOST"))),
        http_port=(int, Field(http_port, validation_alias=env(f"{prefix}_HTTP_PORT", "HTTP_PORT"))),
        consumer_group=(str, Field(consumer_group,
                                   validation_alias=env(f"{prefix}_CONSUMER_GROUP", "CONSUMER_GROUP"))),
    )
