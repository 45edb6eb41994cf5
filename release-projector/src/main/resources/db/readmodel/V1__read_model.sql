-- The release read model, built only by release-projector from the release event log.
-- Names are unqualified: Flyway runs this in the live schema (read_model) and, for a rebuild,
-- in a fresh schema that is swapped in when it has caught up.

-- One row per release: the original system's columns plus what the event log adds.
CREATE TABLE releases (
    release_id            TEXT PRIMARY KEY,
    service_name          TEXT NOT NULL,
    release_tag           TEXT NOT NULL,
    rollback_to_tag       TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL,
    outcome               TEXT NOT NULL,            -- active | successful | failed | cancelled
    initiated_by          TEXT NOT NULL,
    github_run_id         TEXT NOT NULL,
    github_action_link    TEXT NOT NULL,
    github_ref            TEXT NOT NULL,
    repository            TEXT NOT NULL,
    commit_sha            TEXT NOT NULL,
    approved_list         JSONB NOT NULL DEFAULT '[]', -- [{"id":1001,"name":"Alice","at":"..."}]
    required_approvers    JSONB NOT NULL,              -- [{"id":1001,"name":"Alice","github_login":"alice"}]
    quorum                INT NOT NULL,
    admins                JSONB NOT NULL DEFAULT '[]',
    initiator_may_approve BOOLEAN NOT NULL DEFAULT FALSE,
    rejection_reason      TEXT,
    version               BIGINT NOT NULL,             -- sequence number of the last event applied
    created_at            TIMESTAMPTZ NOT NULL,
    started_at            TIMESTAMPTZ NOT NULL,
    completed_at          TIMESTAMPTZ,
    deployed_at           TIMESTAMPTZ,
    updated_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX releases_outcome_created ON releases (outcome, created_at DESC, release_id);
CREATE INDEX releases_service_created ON releases (service_name, created_at DESC);

-- Who approved what, and when.
CREATE TABLE approvals (
    release_id    TEXT NOT NULL REFERENCES releases (release_id),
    approver_id   BIGINT NOT NULL,
    approver_name TEXT NOT NULL,
    approved_at   TIMESTAMPTZ NOT NULL,
    sequence      BIGINT NOT NULL,
    PRIMARY KEY (release_id, approver_id)
);

-- The full timeline: every event as it is in the log.
CREATE TABLE release_events (
    release_id      TEXT NOT NULL,
    sequence        BIGINT NOT NULL,
    event_id        TEXT NOT NULL UNIQUE,
    type            TEXT NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    actor_name      TEXT,
    correlation_id  TEXT,
    causation_id    TEXT,
    traceparent     TEXT,
    data            JSONB NOT NULL,
    kafka_partition INT NOT NULL,
    kafka_offset    BIGINT NOT NULL,
    PRIMARY KEY (release_id, sequence)
);

-- Where the projection stands in the log, written in the same transaction as the rows above.
CREATE TABLE projection_positions (
    topic       TEXT NOT NULL,
    partition   INT NOT NULL,
    next_offset BIGINT NOT NULL,
    PRIMARY KEY (topic, partition)
);
