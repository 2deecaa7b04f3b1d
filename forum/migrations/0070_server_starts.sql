-- The last start of a server on this database: written on every start,
-- so a read-only or full disk is found before the first member writes.
CREATE TABLE server_starts (
    id         INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL
);
