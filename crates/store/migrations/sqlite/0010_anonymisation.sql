-- Anonymisation before publication (issue 6). The case register (people, places, dates,
-- identifiers, with their pseudonyms) as the overview author edited it, every save kept;
-- the author's decision on each finding in a version of a document; the board chair's
-- override of a finding left unresolved, with a reason; and the exact text published.
CREATE TABLE case_registers (
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    version BIGINT NOT NULL,
    case_file TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (review_id, version)
);

CREATE TABLE finding_decisions (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    section TEXT NOT NULL,
    start_byte BIGINT NOT NULL,
    end_byte BIGINT NOT NULL,
    found TEXT NOT NULL,
    category TEXT NOT NULL,
    decision TEXT NOT NULL,
    replacement TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX finding_decisions_document ON finding_decisions (document_id, version);

CREATE TABLE finding_overrides (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    section TEXT NOT NULL,
    found TEXT NOT NULL,
    category TEXT NOT NULL,
    reason TEXT NOT NULL,
    overridden_by TEXT NOT NULL,
    overridden_at TEXT NOT NULL
);

ALTER TABLE documents ADD COLUMN published_sections TEXT;
ALTER TABLE documents ADD COLUMN published_sha256 TEXT;
