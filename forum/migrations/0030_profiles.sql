-- Profiles: where a member works (region and municipality by SCB code),
-- a short Markdown bio with its sanitized HTML, her avatar's hash (the
-- picture itself is in avatars), her areas of responsibility, and which
-- fields other members see. Every show_* is 1 by default, so resetting
-- a column to its default clears what she chose.

ALTER TABLE members ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN municipality TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN bio_html TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN avatar_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN show_workplace INTEGER NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN show_role INTEGER NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN show_sector INTEGER NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN show_region INTEGER NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN show_municipality INTEGER NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN show_areas INTEGER NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN show_bio INTEGER NOT NULL DEFAULT 1;
ALTER TABLE members ADD COLUMN show_avatar INTEGER NOT NULL DEFAULT 1;

-- The directory: approved members by name, and by each filter.
CREATE INDEX members_directory ON members (status, display_name COLLATE NOCASE, id);
CREATE INDEX members_region ON members (region, status, display_name COLLATE NOCASE, id);
CREATE INDEX members_municipality ON members (municipality, status, display_name COLLATE NOCASE, id);
CREATE INDEX members_sector ON members (sector, status, display_name COLLATE NOCASE, id);

-- Areas of responsibility (codes of forum.Areas), several a member.
CREATE TABLE member_areas (
    member_id INTEGER NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    area      TEXT NOT NULL,
    PRIMARY KEY (member_id, area)
) WITHOUT ROWID;
CREATE INDEX member_areas_area ON member_areas (area, member_id);

-- A member's avatar as the server re-encoded it.
CREATE TABLE avatars (
    member_id    INTEGER PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
    hash         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    image        BLOB NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
