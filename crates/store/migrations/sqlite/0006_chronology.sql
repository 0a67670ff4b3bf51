-- Agency chronologies of a review. An upload is kept with its problems and waits for the
-- person to confirm it (a preview); only then do its entries join the review's chronology.
CREATE TABLE chronology_uploads (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    file_name TEXT NOT NULL,
    agency TEXT NOT NULL,
    status TEXT NOT NULL,
    entries TEXT NOT NULL,
    problems TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);

CREATE TABLE chronology_entries (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    upload_id BIGINT NOT NULL REFERENCES chronology_uploads(id),
    agency TEXT NOT NULL,
    entry TEXT NOT NULL
);
CREATE INDEX chronology_entries_review ON chronology_entries(review_id);

CREATE TABLE discrepancy_resolutions (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    discrepancy_id TEXT NOT NULL,
    resolution TEXT NOT NULL,
    note TEXT NOT NULL,
    resolved_by TEXT NOT NULL,
    resolved_at TEXT NOT NULL
);
