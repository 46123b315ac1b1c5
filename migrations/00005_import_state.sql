-- Imports commit in chunks, so an import's state is recorded: running
-- while its comments are being stored, done once every one is, failed
-- when it stopped and its stored comments were undone (status 'deleted').
-- The server undoes the imports it finds running when it starts (a crash
-- or a shutdown in the middle of one).

-- +goose Up
ALTER TABLE imports ADD COLUMN state TEXT NOT NULL DEFAULT 'done'
    CHECK (state IN ('running', 'done', 'failed'));

-- +goose Down
ALTER TABLE imports DROP COLUMN state;
