-- Client addresses are kept only for -ip-retention: a background job
-- erases them from comments older than that. This index holds only the
-- comments that still have an address, by age, so the job reads exactly
-- the rows it erases, and the index shrinks as it does.

-- +goose Up
CREATE INDEX comments_ip_kept ON comments (created_at) WHERE ip != '';

-- +goose Down
DROP INDEX comments_ip_kept;
