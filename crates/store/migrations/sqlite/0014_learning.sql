-- Learning across reviews (issue 7, 000 §13-14, 001 §3.1): the partnership's own tags
-- beside the Ofsted list (which is data in casereview-core), the tags of each review, a
-- short lessons entry per review, and the full-text search index over reviews, documents,
-- recommendations and lessons. Kept in step with ../postgres.
CREATE TABLE learning_tags (
    id INTEGER PRIMARY KEY,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (partnership_id, slug)
);

-- `tag` is the slug of an Ofsted characteristic (e.g. 'domestic_violence') or of one of
-- the partnership's own tags (learning_tags.slug).
CREATE TABLE review_tags (
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    tag TEXT NOT NULL,
    tagged_by TEXT NOT NULL,
    tagged_at TEXT NOT NULL,
    PRIMARY KEY (review_id, tag)
);
CREATE INDEX review_tags_tag ON review_tags (tag);

CREATE TABLE review_lessons (
    review_id BIGINT PRIMARY KEY REFERENCES reviews(id),
    lessons TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per searchable thing: a review (reference, kind, referral summary), a document
-- (the text of its current version), a recommendation (its text and its parts' tasks) or a
-- review's lessons. Triggers keep it in step with the tables it reads, in the writer's own
-- transaction, so no code path can forget it.
CREATE TABLE search_entries (
    id INTEGER PRIMARY KEY,
    review_id BIGINT NOT NULL REFERENCES reviews(id),
    source TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX search_entries_review ON search_entries (review_id);

CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body,
    content = 'search_entries', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;
CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
END;
CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', OLD.id, OLD.title, OLD.body);
    INSERT INTO search_fts (rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);
END;

-- Reviews: reference and kind as the title, the referral's incident and other matters as the body.
CREATE TRIGGER search_reviews_ai AFTER INSERT ON reviews BEGIN
    INSERT INTO search_entries (review_id, source, source_id, title, body) VALUES (
        NEW.id, 'review', NEW.id,
        NEW.reference || ' ' || replace(COALESCE(NEW.kind, ''), '_', ' '),
        COALESCE(json_extract(NEW.referral, '$.incident_details'), '') || char(10) || COALESCE(json_extract(NEW.referral, '$.other_matters'), ''));
END;
CREATE TRIGGER search_reviews_au AFTER UPDATE OF reference, kind, referral ON reviews BEGIN
    UPDATE search_entries SET
        title = NEW.reference || ' ' || replace(COALESCE(NEW.kind, ''), '_', ' '),
        body = COALESCE(json_extract(NEW.referral, '$.incident_details'), '') || char(10) || COALESCE(json_extract(NEW.referral, '$.other_matters'), '')
    WHERE source = 'review' AND source_id = NEW.id;
END;

-- Documents: every new version becomes the current text.
CREATE TRIGGER search_document_versions_ai AFTER INSERT ON document_versions BEGIN
    UPDATE search_entries SET body = (SELECT COALESCE(group_concat(value, char(10)), '') FROM json_each(NEW.sections))
    WHERE source = 'document' AND source_id = NEW.document_id;
    INSERT INTO search_entries (review_id, source, source_id, title, body)
    SELECT d.review_id, 'document', d.id, replace(d.kind, '_', ' '), (SELECT COALESCE(group_concat(value, char(10)), '') FROM json_each(NEW.sections))
    FROM documents d
    WHERE d.id = NEW.document_id AND NOT EXISTS (SELECT 1 FROM search_entries WHERE source = 'document' AND source_id = NEW.document_id);
END;

-- Recommendations: the text and the tasks of its parts.
CREATE TRIGGER search_recommendations_ai AFTER INSERT ON report_recommendations BEGIN
    INSERT INTO search_entries (review_id, source, source_id, title, body) VALUES (NEW.review_id, 'recommendation', NEW.id, 'recommendation ' || NEW.number, NEW.text);
END;
CREATE TRIGGER search_recommendations_au AFTER UPDATE OF number, text ON report_recommendations BEGIN
    UPDATE search_entries SET
        title = 'recommendation ' || NEW.number,
        body = NEW.text || COALESCE((SELECT char(10) || group_concat(task, char(10)) FROM recommendation_parts WHERE recommendation_id = NEW.id), '')
    WHERE source = 'recommendation' AND source_id = NEW.id;
END;
CREATE TRIGGER search_recommendations_ad AFTER DELETE ON report_recommendations BEGIN
    DELETE FROM search_entries WHERE source = 'recommendation' AND source_id = OLD.id;
END;
CREATE TRIGGER search_parts_ai AFTER INSERT ON recommendation_parts BEGIN
    UPDATE search_entries SET body = (SELECT r.text || COALESCE((SELECT char(10) || group_concat(p.task, char(10)) FROM recommendation_parts p WHERE p.recommendation_id = r.id), '') FROM report_recommendations r WHERE r.id = NEW.recommendation_id)
    WHERE source = 'recommendation' AND source_id = NEW.recommendation_id;
END;
CREATE TRIGGER search_parts_au AFTER UPDATE OF task ON recommendation_parts BEGIN
    UPDATE search_entries SET body = (SELECT r.text || COALESCE((SELECT char(10) || group_concat(p.task, char(10)) FROM recommendation_parts p WHERE p.recommendation_id = r.id), '') FROM report_recommendations r WHERE r.id = NEW.recommendation_id)
    WHERE source = 'recommendation' AND source_id = NEW.recommendation_id;
END;
CREATE TRIGGER search_parts_ad AFTER DELETE ON recommendation_parts BEGIN
    UPDATE search_entries SET body = (SELECT r.text || COALESCE((SELECT char(10) || group_concat(p.task, char(10)) FROM recommendation_parts p WHERE p.recommendation_id = r.id), '') FROM report_recommendations r WHERE r.id = OLD.recommendation_id)
    WHERE source = 'recommendation' AND source_id = OLD.recommendation_id;
END;

-- Lessons.
CREATE TRIGGER search_lessons_ai AFTER INSERT ON review_lessons BEGIN
    INSERT INTO search_entries (review_id, source, source_id, title, body) VALUES (NEW.review_id, 'lessons', NEW.review_id, 'lessons', NEW.lessons);
END;
CREATE TRIGGER search_lessons_au AFTER UPDATE OF lessons ON review_lessons BEGIN
    UPDATE search_entries SET body = NEW.lessons WHERE source = 'lessons' AND source_id = NEW.review_id;
END;

-- What existed before this migration.
INSERT INTO search_entries (review_id, source, source_id, title, body)
SELECT id, 'review', id, reference || ' ' || replace(COALESCE(kind, ''), '_', ' '),
       COALESCE(json_extract(referral, '$.incident_details'), '') || char(10) || COALESCE(json_extract(referral, '$.other_matters'), '')
FROM reviews;
INSERT INTO search_entries (review_id, source, source_id, title, body)
SELECT d.review_id, 'document', d.id, replace(d.kind, '_', ' '), (SELECT COALESCE(group_concat(j.value, char(10)), '') FROM json_each(v.sections) j)
FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.version = d.version;
INSERT INTO search_entries (review_id, source, source_id, title, body)
SELECT r.review_id, 'recommendation', r.id, 'recommendation ' || r.number,
       r.text || COALESCE((SELECT char(10) || group_concat(p.task, char(10)) FROM recommendation_parts p WHERE p.recommendation_id = r.id), '')
FROM report_recommendations r;
