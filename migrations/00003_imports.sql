-- Imports: comments loaded from files (Bilibili XML, this server's JSON
-- export) rather than posted here. Times are Unix milliseconds.

-- +goose Up
-- One row per import, for the record: which file went into which room, by
-- whom, and how much of it was kept.
CREATE TABLE imports (
    id         INTEGER PRIMARY KEY,
    room_id    TEXT    NOT NULL REFERENCES rooms (id),
    format     TEXT    NOT NULL,               -- bilibili-xml or danmaku-json
    source     TEXT    NOT NULL DEFAULT '',    -- the file's name, for people
    created_by TEXT    NOT NULL,               -- the moderator's user id, or "cli"
    created_at INTEGER NOT NULL,
    imported   INTEGER NOT NULL DEFAULT 0,
    skipped    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The import a comment came from (imports.id); NULL for comments posted
-- here. An imported comment's created_at is the time the file gives, so
-- it is not in id order: readers that walk back by id until a time (the
-- clean-up after a ban) pass over imported rows. No REFERENCES clause, so
-- that the column can be dropped again.
ALTER TABLE comments ADD COLUMN import_id INTEGER;

-- +goose Down
ALTER TABLE comments DROP COLUMN import_id;
DROP TABLE imports;
