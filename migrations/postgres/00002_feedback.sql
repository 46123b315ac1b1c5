-- Viewers' feedback on comments, as SQLite's 00010_feedback: reports, a
-- quality weight per comment, and each sender's record that the weight
-- reads. Times are Unix milliseconds.

-- +goose Up
-- Distinct viewers who reported the comment since a moderator last looked
-- at it (comment_reports rows not reviewed).
ALTER TABLE comments ADD COLUMN reports bigint NOT NULL DEFAULT 0;
-- Quality weight 0 (worst) to 10, computed by the server (store.Weigher)
-- when the comment is stored and again when its likes or reports change.
ALTER TABLE comments ADD COLUMN weight integer NOT NULL DEFAULT 5;
-- The sender's record: comments of theirs shown now, and comments
-- moderators removed (rejected or deleted).
ALTER TABLE users ADD COLUMN accepted bigint NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN removed bigint NOT NULL DEFAULT 0;

UPDATE users SET accepted = c.n
  FROM (SELECT user_id, count(*) AS n FROM comments WHERE status = 'visible' GROUP BY user_id) AS c
  WHERE users.id = c.user_id;
UPDATE users SET removed = c.n
  FROM (SELECT user_id, count(*) AS n FROM comments WHERE status = 'deleted' AND moderated_by <> '' GROUP BY user_id) AS c
  WHERE users.id = c.user_id;

-- One row per viewer and comment reported: a second report by the same
-- viewer changes nothing. A moderator's decision or dismissal marks the
-- rows reviewed, so they no longer count.
CREATE TABLE comment_reports (
    comment_id bigint  NOT NULL REFERENCES comments (id),
    user_id    text    NOT NULL,
    reason     text    NOT NULL CHECK (reason IN ('spam', 'spoiler', 'abuse', 'ads', 'other')),
    ip         text    NOT NULL DEFAULT '',
    created_at bigint  NOT NULL,
    reviewed   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (comment_id, user_id)
);

-- The moderators' queue of reported comments.
CREATE INDEX comments_reported ON comments (id) WHERE reports > 0;
-- What one viewer liked (the pages mark it after a reload).
CREATE INDEX comment_likes_user ON comment_likes (user_id, comment_id);

-- +goose Down
DROP INDEX comment_likes_user;
DROP INDEX comments_reported;
DROP TABLE comment_reports;
ALTER TABLE users DROP COLUMN removed;
ALTER TABLE users DROP COLUMN accepted;
ALTER TABLE comments DROP COLUMN weight;
ALTER TABLE comments DROP COLUMN reports;
