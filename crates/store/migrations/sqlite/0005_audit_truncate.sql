-- SQLite has no TRUNCATE (DELETE without WHERE fires the row triggers); this keeps the
-- migration numbers of both backends in step.
SELECT 1;
