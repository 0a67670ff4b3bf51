-- Recommendations, action plans and monitoring (issue 7; 001 §2.4.10-2.4.36, §2.5; 002
-- "Agreeing Improvement Action"). A review's recommendations are numbered (1, 2, ...) and
-- split into parts (1a, 1b, ...), each one task addressed to a named person with authority
-- in an agency, with its measure of success and its date. Each part becomes one or more
-- actions on the composite plan (and so on its agency's plan); progress updates are
-- dated, attributed and never overwritten, and carry evidence files.
CREATE TABLE report_recommendations (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    number BIGINT NOT NULL,
    -- 'overview' (the report's own) or 'imr' (carried from an agency's IMR, App. VII).
    source TEXT NOT NULL,
    -- The agency whose IMR made it (source 'imr'); NULL for the overview's.
    source_agency_id BIGINT REFERENCES agencies(id),
    text TEXT NOT NULL,
    -- 'draft' until adopted; an adopted recommendation's parts are fixed.
    status TEXT NOT NULL,
    adopted_by TEXT,
    adopted_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (review_id, number)
);

CREATE TABLE recommendation_parts (
    id INTEGER PRIMARY KEY,
    recommendation_id BIGINT NOT NULL REFERENCES report_recommendations(id),
    -- 'a', 'b', ... (a recommendation with one task has the one part 'a', shown as "1").
    letter TEXT NOT NULL,
    task TEXT NOT NULL,
    agency_id BIGINT REFERENCES agencies(id),
    addressee_name TEXT NOT NULL DEFAULT '',
    addressee_position TEXT NOT NULL DEFAULT '',
    measure TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    UNIQUE (recommendation_id, letter)
);

CREATE TABLE plan_actions (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    part_id BIGINT NOT NULL REFERENCES recommendation_parts(id),
    agency_id BIGINT NOT NULL REFERENCES agencies(id),
    action TEXT NOT NULL,
    by_whom TEXT NOT NULL,
    intended_outcome TEXT NOT NULL,
    monitoring TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- The assessment: 'red', 'amber', 'green', 'completed', 'signed_off'.
    rag TEXT NOT NULL,
    signed_up_by TEXT,
    signed_up_at TEXT,
    signed_off_by TEXT,
    signed_off_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX plan_actions_review ON plan_actions (review_id);
CREATE INDEX plan_actions_agency ON plan_actions (agency_id, rag, due_on);

CREATE TABLE action_updates (
    id INTEGER PRIMARY KEY,
    action_id BIGINT NOT NULL REFERENCES plan_actions(id),
    rag TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX action_updates_action ON action_updates (action_id);

CREATE TABLE action_evidence (
    id INTEGER PRIMARY KEY,
    update_id BIGINT NOT NULL REFERENCES action_updates(id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL
);
