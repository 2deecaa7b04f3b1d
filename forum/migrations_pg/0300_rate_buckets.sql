-- Rate limits shared by every kliv process on this database: one token
-- bucket per limit and key (an address, an account), refilled by the
-- time since it was last touched. A process takes a token with one
-- INSERT … ON CONFLICT DO UPDATE, so two processes counting the same key
-- serialise on its row. Buckets untouched for a day are full again and
-- are pruned by the chores.
CREATE TABLE rate_buckets (
    name       text             NOT NULL,
    key        text             NOT NULL,
    tokens     double precision NOT NULL,
    allowed    boolean          NOT NULL,
    updated_at timestamptz      NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE INDEX rate_buckets_updated ON rate_buckets (updated_at);
