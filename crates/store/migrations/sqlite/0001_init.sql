-- casereview schema, SQLite dialect. Kept column-for-column in step with ../postgres.
CREATE TABLE partnerships (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_code TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    quorum BIGINT NOT NULL DEFAULT 3,
    created_at TEXT NOT NULL
);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    name TEXT NOT NULL,
    partner BOOLEAN NOT NULL,
    UNIQUE (partnership_id, name)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    agency_id BIGINT REFERENCES agencies(id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    reference TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    kind TEXT,
    child_name TEXT NOT NULL,
    referral TEXT NOT NULL,
    criteria_answers TEXT NOT NULL DEFAULT '{}',
    version BIGINT NOT NULL,
    submission_key TEXT UNIQUE,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX reviews_partnership ON reviews(partnership_id);

-- Every saved version of a referral, so an edit never loses what was there and a
-- conflicting save can be shown exactly what changed since the editor opened it.
CREATE TABLE referral_versions (
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    version BIGINT NOT NULL,
    referral TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (review_id, version)
);

CREATE TABLE review_members (
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (review_id, user_id)
);

CREATE TABLE review_events (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    event TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX review_events_review ON review_events(review_id);

CREATE TABLE transitions (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    actor_name TEXT NOT NULL,
    note TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX transitions_review ON transitions(review_id);

CREATE TABLE screening_meetings (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    held_on TEXT NOT NULL,
    meeting TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    meeting_id BIGINT NOT NULL REFERENCES screening_meetings(id),
    choice TEXT NOT NULL,
    recommendation TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);

CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    kind TEXT NOT NULL,
    decision TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL
);

-- The audit log is append-only: the triggers refuse UPDATE and DELETE, and the hash
-- chain (casereview audit verify) shows any change made around them.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events(subject);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
