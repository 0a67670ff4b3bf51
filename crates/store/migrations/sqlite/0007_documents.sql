-- Documents of a review (terms of reference, overview report, executive summary, ...):
-- every save is a version that is never changed; comments are anchored to sections.
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    approved_version BIGINT,
    signed_by TEXT NOT NULL DEFAULT '',
    signed_on TEXT,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (review_id, kind)
);

CREATE TABLE document_versions (
    document_id BIGINT NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    sections TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (document_id, version)
);

CREATE TABLE document_comments (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    version BIGINT NOT NULL,
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    resolved_by TEXT,
    resolved_at TEXT
);
