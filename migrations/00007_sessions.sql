-- Sessions: server-side records of sign-ins, so that signing out ends
-- them for good (a copied cookie is refused afterwards) on every node.
-- Times are Unix milliseconds.

-- +goose Up
-- One row per session in force: a browser's guest identity, or a user who
-- signed in at /login. Its id is the jti of the tokens (cookies) that
-- carry it. Ending a session deletes its row; expired rows are purged by
-- the retention job.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    user_id    TEXT    NOT NULL,
    guest      INTEGER NOT NULL CHECK (guest IN (0, 1)),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Sign out everywhere, and erasure, end every session of a user.
CREATE INDEX sessions_user ON sessions (user_id);
-- The purge of expired sessions.
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- A user's "sign out everywhere": tokens without a session (printed by
-- `danmaku token`) issued before this instant are refused.
CREATE TABLE session_cutoffs (
    user_id TEXT    PRIMARY KEY,
    before  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE session_cutoffs;
DROP TABLE sessions;
