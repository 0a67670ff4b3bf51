-- Structured records of a review that the panel keeps and revises (issue 9): the scoping
-- answers, the family's involvement, the joint-review arrangement, the Ofsted notification
-- form (one of each per review), and the parallel proceedings, meetings and notifications
-- (many). Each record's body is JSON of a casereview-core type; every save is a new version
-- that is never changed afterwards, so the panel's earlier decisions stay on the record.
CREATE TABLE review_records (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX review_records_review ON review_records (review_id, kind);

CREATE TABLE review_record_versions (
    record_id BIGINT NOT NULL REFERENCES review_records(id),
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (record_id, version)
);

CREATE TRIGGER review_record_versions_no_update BEFORE UPDATE ON review_record_versions
BEGIN SELECT RAISE(ABORT, 'review_record_versions are never changed: save a new version'); END;

-- Papers uploaded for a meeting (the meeting record lists them with the date each was
-- circulated); read only by the meeting's invitees and the people who run it.
CREATE TABLE meeting_papers (
    id INTEGER PRIMARY KEY,
    record_id BIGINT NOT NULL REFERENCES review_records(id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
