package forum

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// The full-text index post_search is kept in step with posts and topic
// titles by the triggers of migrations/0004_search.sql. A bulk load of a
// million posts would pay for an index update per row; instead the
// triggers stand aside while a row is in search_bulk_load, and the index
// is rebuilt from the posts in one pass at the end (about 20 s for a
// million posts, against minutes of per-row updates).

// pauseSearchIndex makes the index triggers stand aside.
func (s *Store) pauseSearchIndex(ctx context.Context) error {
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO search_bulk_load (started_at) VALUES (?)`, s.now()); err != nil {
		return fmt.Errorf("pause search index: %w", err)
	}
	return nil
}

// rebuildPragmas tune the rebuild's connection: no fsync (a crash
// during a bulk load loses the load anyway), a 256 MiB page cache,
// temporary B-trees in memory.
var rebuildPragmas = []struct {
	name  string
	value int64
}{{"synchronous", 0}, {"cache_size", -262144}, {"temp_store", 2}}

// rebuildSearchIndex rebuilds the index from every post, switches the
// triggers back on in the same transaction (so no write falls between
// the two), and merges the index into one segment, which keeps queries
// of common words fast. It runs on a connection of its own, tuned as a
// bulk load's is, and gives it back as it was.
func (s *Store) rebuildSearchIndex(ctx context.Context) (err error) {
	if s.PG() {
		return s.rebuildSearchIndexPG(ctx)
	}
	conn, err := s.DB.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, p := range rebuildPragmas {
		var was int64
		if err := conn.GetContext(ctx, &was, "PRAGMA "+p.name); err != nil {
			return fmt.Errorf("search index: read %s: %w", p.name, err)
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA %s = %d", p.name, p.value)); err != nil {
			return fmt.Errorf("search index: set %s: %w", p.name, err)
		}
		defer func() {
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA %s = %d", p.name, was)); err == nil {
				err = rerr
			}
		}()
	}
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM search_bulk_load`,
		`INSERT INTO post_search (post_search) VALUES ('rebuild')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("search index: %s: %w", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO post_search (post_search) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("search index: optimize: %w", err)
	}
	return nil
}

// ResumeSearchIndex finishes a bulk load that never ended (a seed killed
// half-way): while its row stays in search_bulk_load the triggers would
// stand aside for ever and new posts would never be found. It reports
// whether it had to rebuild.
func (s *Store) ResumeSearchIndex(ctx context.Context) (bool, error) {
	var n int
	if err := s.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM search_bulk_load`); err != nil {
		return false, err
	}
	if n == 0 {
		return false, nil
	}
	return true, s.rebuildSearchIndex(ctx)
}

// rebuildSearchIndexPG fills PostgreSQL's post_search from every readable
// post in one statement, with its GIN indexes built afterwards (much
// faster than row by row), and switches the triggers back on in the same
// transaction; then it updates the planner's statistics, which decide
// between the primary key and the GIN index for a word.
func (s *Store) rebuildSearchIndexPG(ctx context.Context) error {
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		for _, q := range []string{
			`DELETE FROM search_bulk_load`,
			`SET LOCAL maintenance_work_mem = '256MB'`,
			`DROP INDEX post_search_doc`,
			`DROP INDEX post_search_title`,
			`TRUNCATE post_search`,
			`INSERT INTO post_search (post_id, title, doc)
				SELECT p.id, x.tv, setweight(x.tv, 'A') || setweight(kliv_search_vector(p.body), 'B')
				FROM posts p JOIN topics t ON t.id = p.topic_id,
					LATERAL (SELECT CASE WHEN p.seq = 1 THEN kliv_search_vector(t.title) ELSE ''::tsvector END AS tv) x
				WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL`,
			`INSERT INTO post_search_words (word) SELECT DISTINCT unnest(tsvector_to_array(doc)) FROM post_search
				ON CONFLICT DO NOTHING`,
			`CREATE INDEX post_search_doc ON post_search USING gin (doc)`,
			`CREATE INDEX post_search_title ON post_search USING gin (title)`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("search index: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := s.DB.ExecContext(ctx, `ANALYZE post_search`); err != nil {
		return fmt.Errorf("search index: analyze: %w", err)
	}
	return nil
}
