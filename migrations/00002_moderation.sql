-- Moderation: who sent each comment from where, what moderators did to it,
-- and bans. Times are Unix milliseconds.

-- +goose Up
-- The client address of each comment, for IP bans; only moderators see it.
-- Comments stored before this migration have ''.
ALTER TABLE comments ADD COLUMN ip TEXT NOT NULL DEFAULT '';
-- Why a plugin held or shadowed the comment ("nospoilers: possible spoiler").
ALTER TABLE comments ADD COLUMN mod_note TEXT NOT NULL DEFAULT '';
-- The moderator who last approved, rejected or deleted the comment, and when.
-- A moderator's reject of a held comment stores it as 'deleted' with seq
-- NULL; a delete of a visible comment keeps its seq.
ALTER TABLE comments ADD COLUMN moderated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN moderated_at INTEGER;

-- Recent comments of a room, whatever their status (moderator views).
CREATE INDEX comments_room_recent ON comments (room_id, id);
-- The held queue.
CREATE INDEX comments_held ON comments (id) WHERE status = 'held';
-- A shadow-banned user's own comments, which replay shows to them alone.
CREATE INDEX comments_shadowed ON comments (room_id, user_id, time_ms) WHERE status = 'shadowed';

CREATE TABLE bans (
    id         INTEGER PRIMARY KEY,
    user_id    TEXT,                        -- NULL: not by user
    ip         TEXT,                        -- a CIDR prefix like 203.0.113.7/32; NULL: not by address
    room_id    TEXT REFERENCES rooms (id),  -- NULL: every room
    reason     TEXT    NOT NULL DEFAULT '',
    until      INTEGER,                     -- NULL: permanent
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    -- Unbanning keeps the row, so the history of bans stays readable.
    lifted_by  TEXT,
    lifted_at  INTEGER,
    CHECK (user_id IS NOT NULL OR ip IS NOT NULL)
) STRICT;

-- Bans in force are loaded at start; lifted ones are history.
CREATE INDEX bans_active ON bans (id) WHERE lifted_at IS NULL;

-- +goose Down
DROP TABLE bans;
DROP INDEX comments_shadowed;
DROP INDEX comments_held;
DROP INDEX comments_room_recent;
ALTER TABLE comments DROP COLUMN moderated_at;
ALTER TABLE comments DROP COLUMN moderated_by;
ALTER TABLE comments DROP COLUMN mod_note;
ALTER TABLE comments DROP COLUMN ip;
