-- Keys that make sends idempotent and names comparable, and the seq a
-- shadowed comment was shown with.

-- +goose Up
-- The idempotency key a client chose for a comment (at most 64 bytes);
-- NULL when none was given. A resend with the same key by the same user
-- finds the stored comment instead of storing it twice, also after a crash
-- between the commit and the ack: the key commits with the comment.
ALTER TABLE comments ADD COLUMN idem_key TEXT;
CREATE UNIQUE INDEX comments_user_idem ON comments (user_id, idem_key) WHERE idem_key IS NOT NULL;

-- The seq a shadowed comment's ack carried (the room's next seq at the
-- time, as if it had been published): its sender's replay shows it again.
-- NULL for every other comment, whose seq is in seq.
ALTER TABLE comments ADD COLUMN shown_seq INTEGER;

-- A user's name folded for comparison (PRECIS nickname rules, then the
-- Unicode confusables skeleton): two names with the same key look alike.
-- '' until the server fills it in (rows older than this migration).
ALTER TABLE users ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
CREATE INDEX users_name_key ON users (name_key);

-- +goose Down
DROP INDEX users_name_key;
ALTER TABLE users DROP COLUMN name_key;
ALTER TABLE comments DROP COLUMN shown_seq;
DROP INDEX comments_user_idem;
ALTER TABLE comments DROP COLUMN idem_key;
