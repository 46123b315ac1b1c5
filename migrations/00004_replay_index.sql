-- Replay windows order by (time_ms, seq): an index on both serves the
-- filter and the order, so a window on a room of millions of comments
-- reads only its own rows and sorts nothing.

-- +goose Up
CREATE INDEX comments_room_time_seq ON comments (room_id, time_ms, seq) WHERE status = 'visible';
DROP INDEX comments_room_time;

-- +goose Down
CREATE INDEX comments_room_time ON comments (room_id, time_ms) WHERE status = 'visible';
DROP INDEX comments_room_time_seq;
