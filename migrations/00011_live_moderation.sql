-- Live moderation (issue 15): room modes, moderators' actions on users,
-- blocked terms, and the audit log of every change. Times are Unix
-- milliseconds.

-- +goose Up
-- One row per room that ever had a mode set; 0 turns a mode off.
CREATE TABLE room_modes (
    room_id        TEXT    PRIMARY KEY REFERENCES rooms (id),
    slow_seconds   INTEGER NOT NULL DEFAULT 0,
    unique_window  INTEGER NOT NULL DEFAULT 0,
    signed_in_only INTEGER NOT NULL DEFAULT 0,
    delay_seconds  INTEGER NOT NULL DEFAULT 0,
    emergency      INTEGER NOT NULL DEFAULT 0,
    updated_by     TEXT    NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

-- Timeouts, hidden users and purges; an undo keeps the row as history.
CREATE TABLE user_actions (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('timeout', 'hide', 'purge')),
    room_id    TEXT    REFERENCES rooms (id),   -- NULL: every room
    user_id    TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    until      INTEGER,                         -- a timeout's end
    comments   TEXT    NOT NULL DEFAULT '[]',   -- a purge's deleted comment ids (JSON)
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    undone_by  TEXT,
    undone_at  INTEGER
) STRICT;
CREATE INDEX user_actions_active ON user_actions (id) WHERE undone_at IS NULL;

-- Terms moderators block live; removing one keeps the row as history.
CREATE TABLE blocked_terms (
    id         INTEGER PRIMARY KEY,
    room_id    TEXT    REFERENCES rooms (id),   -- NULL: every room
    term       TEXT    NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('mask', 'reject', 'hold')),
    until      INTEGER,                         -- NULL: until removed
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    removed_by TEXT,
    removed_at INTEGER
) STRICT;
CREATE INDEX blocked_terms_active ON blocked_terms (id) WHERE removed_at IS NULL;

-- Who changed what, when: every change above, and bans.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    by_user TEXT    NOT NULL,
    room_id TEXT    NOT NULL DEFAULT '',        -- '' for changes of every room
    action  TEXT    NOT NULL,
    detail  TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_room ON audit_log (room_id, id);

-- +goose Down
DROP INDEX audit_log_room;
DROP TABLE audit_log;
DROP INDEX blocked_terms_active;
DROP TABLE blocked_terms;
DROP INDEX user_actions_active;
DROP TABLE user_actions;
DROP TABLE room_modes;
