-- Every rendering of a document, letter or form (PDF or DOCX) is a copy made for someone:
-- recorded with the version and whether it was a draft, so that once a document is
-- approved the draft copies can be called back and their destruction recorded (001
-- §2.4.23-2.4.24). Draft versions are marked for destruction when a later version is approved.
CREATE TABLE document_copies (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    document_id BIGINT REFERENCES documents(id),
    what TEXT NOT NULL,
    version BIGINT,
    format TEXT NOT NULL,
    draft BOOLEAN NOT NULL,
    made_for TEXT NOT NULL,
    made_by TEXT NOT NULL,
    made_at TEXT NOT NULL,
    destroyed_by TEXT,
    destroyed_at TEXT
);
CREATE INDEX document_copies_review ON document_copies (review_id);

ALTER TABLE document_versions ADD COLUMN destroy_marked_on TEXT;

-- The partnership's logo, printed at the head of its documents (svg or png).
ALTER TABLE partnerships ADD COLUMN logo_kind TEXT;
ALTER TABLE partnerships ADD COLUMN logo BLOB;
