-- Retention and destruction (001 §2.4.23-2.4.24; issue 8 item 4). A legal hold (criminal
-- proceedings, a claim) stops every destruction for a review until it is lifted, with who
-- placed and lifted it and why. Each destruction leaves a tombstone here (what, when, under
-- which rule, who authorised) beside its certificate in the audit log; the content rows
-- are emptied, and a destroyed document version keeps its number and the date.
CREATE TABLE legal_holds (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    placed_at TEXT NOT NULL,
    lifted_by TEXT,
    lifted_at TEXT,
    lift_reason TEXT
);
CREATE INDEX legal_holds_review ON legal_holds (review_id);

CREATE TABLE destructions (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    rule TEXT NOT NULL,
    item TEXT NOT NULL,
    due_since TEXT NOT NULL,
    destroyed_at TEXT NOT NULL,
    authorised_by TEXT NOT NULL
);
CREATE INDEX destructions_review ON destructions (review_id);

ALTER TABLE document_versions ADD COLUMN destroyed_at TEXT;
