-- Sessions and address retention, as SQLite's 00007_sessions and
-- 00008_address_retention. Times are Unix milliseconds.

-- +goose Up
-- One row per session in force: a browser's guest identity, or a user who
-- signed in at /login. Its id is the jti of the tokens (cookies) that
-- carry it. Ending a session deletes its row; expired rows are purged by
-- the retention job. Every node reads the same rows.
CREATE TABLE sessions (
    id         text    PRIMARY KEY,
    user_id    text    NOT NULL,
    guest      boolean NOT NULL,
    created_at bigint  NOT NULL,
    expires_at bigint  NOT NULL
);
-- Sign out everywhere, and erasure, end every session of a user.
CREATE INDEX sessions_user ON sessions (user_id);
-- The purge of expired sessions.
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- A user's "sign out everywhere": tokens without a session (printed by
-- `danmaku token`) issued before this instant are refused.
CREATE TABLE session_cutoffs (
    user_id text   PRIMARY KEY,
    before  bigint NOT NULL
);

-- Client addresses are kept only for -ip-retention: the retention job
-- erases them from comments older than that. This index holds only the
-- comments that still have an address, by age, so the job reads exactly
-- the rows it erases, and the index shrinks as it does.
CREATE INDEX comments_ip_kept ON comments (created_at) WHERE ip IS NOT NULL;

-- +goose Down
DROP INDEX comments_ip_kept;
DROP TABLE session_cutoffs;
DROP TABLE sessions;
