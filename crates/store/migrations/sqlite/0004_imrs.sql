-- Individual Management Reviews, the practitioners involved (for the independence rules),
-- and the board chair's recorded overrides of those rules.
CREATE TABLE imrs (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    agency TEXT NOT NULL,
    status TEXT NOT NULL,
    author_user_id BIGINT REFERENCES users(id),
    author_name TEXT NOT NULL DEFAULT '',
    requested_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    sections TEXT NOT NULL DEFAULT '{}',
    signed_off_by TEXT NOT NULL DEFAULT '',
    signed_off_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (review_id, agency)
);

CREATE TABLE review_practitioners (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    name TEXT NOT NULL,
    agency TEXT NOT NULL,
    role TEXT NOT NULL,
    line_manager TEXT NOT NULL DEFAULT ''
);

CREATE TABLE independence_overrides (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    appointment TEXT NOT NULL,
    candidate TEXT NOT NULL,
    problems TEXT NOT NULL,
    reason TEXT NOT NULL,
    overridden_by TEXT NOT NULL,
    at TEXT NOT NULL
);
