-- Which partnership an audit event belongs to, so one partnership's administrators see
-- only their own log. The column is an index for access, outside the hash: changing it
-- cannot alter or hide what an event records, and `audit verify` still checks every event.
ALTER TABLE audit_events ADD COLUMN partnership_id BIGINT;
CREATE INDEX audit_events_partnership ON audit_events(partnership_id, seq);
