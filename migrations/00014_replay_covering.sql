-- Replay windows read every column of a 60-s slice of a room. With the
-- rows stored in arrival order, each of a window's rows was a lookup into
-- a different table page. This index holds every column a window returns,
-- in (room, time, seq) order, so a window is one contiguous range of the
-- index and the table is never touched. It replaces comments_room_time_seq
-- (its leading columns), which the heat curve and exports also used.
-- Likes and weight are in it, so their updates rewrite the entry too.

-- +goose Up
CREATE INDEX comments_window ON comments
    (room_id, time_ms, seq, id, text, mode, color, size, user_id, user_name, created_at, likes, weight)
    WHERE status = 'visible';
DROP INDEX comments_room_time_seq;

-- +goose Down
CREATE INDEX comments_room_time_seq ON comments (room_id, time_ms, seq) WHERE status = 'visible';
DROP INDEX comments_window;
