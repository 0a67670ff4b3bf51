-- The statutory clock in use: extensions, waivers, a partnership's closure days and step
-- overrides, private calendar feeds, and the reminders already sent (so none is sent twice,
-- even across restarts).
ALTER TABLE partnerships ADD COLUMN due_soon_days BIGINT NOT NULL DEFAULT 5;

CREATE TABLE deadline_extensions (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    step TEXT NOT NULL,
    previous_due TEXT NOT NULL,
    new_due TEXT NOT NULL,
    agreed_by_role TEXT NOT NULL,
    agreed_by_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX deadline_extensions_review ON deadline_extensions(review_id);

CREATE TABLE deadline_waivers (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    step TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE partnership_closures (
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (partnership_id, day)
);

CREATE TABLE ruleset_overrides (
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    step TEXT NOT NULL,
    period TEXT NOT NULL,
    PRIMARY KEY (partnership_id, step)
);

CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE reminders_sent (
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    step TEXT NOT NULL,
    level TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    sent_at TEXT NOT NULL,
    PRIMARY KEY (review_id, step, level, user_id)
);
