-- The family and household of a review (the genogram's data): the current version in
-- `families`, every saved version in `family_versions` as JSON, never changed afterwards.
CREATE TABLE families (
    review_id BIGINT PRIMARY KEY REFERENCES reviews(id),
    version BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE family_versions (
    review_id BIGINT NOT NULL REFERENCES families(review_id),
    version BIGINT NOT NULL,
    family TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (review_id, version)
);

CREATE FUNCTION family_versions_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'family_versions are never changed: save a new version';
END;
$$;
CREATE TRIGGER family_versions_no_update BEFORE UPDATE ON family_versions
FOR EACH ROW EXECUTE FUNCTION family_versions_unchanged();
