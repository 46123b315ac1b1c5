-- Core schema: rooms, users, comments and likes.
-- Times are Unix milliseconds (created_at) or video milliseconds (time_ms).

-- +goose Up
CREATE TABLE rooms (
    id            TEXT    PRIMARY KEY,
    title         TEXT    NOT NULL,
    video_url     TEXT    NOT NULL DEFAULT '',
    kind          TEXT    NOT NULL CHECK (kind IN ('vod', 'live')),
    created_at    INTEGER NOT NULL,
    -- last_seq is the highest seq handed out; the writer bumps it in the
    -- same transaction as the comments, so it never runs ahead of them.
    last_seq      INTEGER NOT NULL DEFAULT 0,
    comment_count INTEGER NOT NULL DEFAULT 0,
    likes         INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE users (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) STRICT;

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    room_id    TEXT    NOT NULL REFERENCES rooms (id),
    -- seq is NULL until the comment becomes visible (held and shadowed
    -- comments have none), so visible seqs have no gaps.
    seq        INTEGER,
    time_ms    INTEGER NOT NULL CHECK (time_ms >= 0),
    text       TEXT    NOT NULL,
    mode       TEXT    NOT NULL CHECK (mode IN ('scroll', 'top', 'bottom')),
    color      TEXT    NOT NULL,
    size       TEXT    NOT NULL CHECK (size IN ('small', 'medium', 'large')),
    user_id    TEXT    NOT NULL,
    user_name  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'visible'
               CHECK (status IN ('visible', 'held', 'shadowed', 'deleted')),
    likes      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Catch-up (after_seq) and seq uniqueness.
CREATE UNIQUE INDEX comments_room_seq ON comments (room_id, seq) WHERE seq IS NOT NULL;
-- Timeline windows (from/to) over what viewers may see.
CREATE INDEX comments_room_time ON comments (room_id, time_ms) WHERE status = 'visible';

CREATE TABLE comment_likes (
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    user_id    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (comment_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE room_likes (
    room_id    TEXT    NOT NULL REFERENCES rooms (id),
    user_id    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (room_id, user_id)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE room_likes;
DROP TABLE comment_likes;
DROP TABLE comments;
DROP TABLE users;
DROP TABLE rooms;
