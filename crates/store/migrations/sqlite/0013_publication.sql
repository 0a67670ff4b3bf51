-- Publication (issue 7 item 4; 000 §7.3-7.4, §12.4; 002 "Publication of Reports"): the date
-- a copy of a report went to the national panel (at least a week before publication), the
-- date it was published, and its removal (not before 12 months; who, when, why). Holds on
-- publication while criminal proceedings or an inquest are open, with who lifted them.
ALTER TABLE documents ADD COLUMN national_panel_sent_on TEXT;
ALTER TABLE documents ADD COLUMN published_on TEXT;
ALTER TABLE documents ADD COLUMN withdrawn_on TEXT;
ALTER TABLE documents ADD COLUMN withdrawn_by TEXT;
ALTER TABLE documents ADD COLUMN withdrawn_reason TEXT;

CREATE TABLE publication_holds (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    -- 'criminal_proceedings', 'inquest' or 'other'.
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    placed_by TEXT NOT NULL,
    placed_at TEXT NOT NULL,
    lifted_by TEXT,
    lifted_at TEXT,
    lift_reason TEXT
);
CREATE INDEX publication_holds_review ON publication_holds (review_id);
