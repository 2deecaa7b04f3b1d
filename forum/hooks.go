package forum

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// The hooks run inside the transaction of the change they follow, so what
// they record (notifications, follows, read marks) commits with it or not
// at all.

// afterPost runs after a topic's first post or a reply is inserted.
func (s *Store) afterPost(ctx context.Context, tx *sqlx.Tx, actor *Member, t *Topic, p *Post) error {
	if err := s.runPostHooks(ctx, tx, p); err != nil {
		return err
	}
	return s.readersAfterPost(ctx, tx, actor, t, p)
}

func (s *Store) runPostHooks(ctx context.Context, tx *sqlx.Tx, p *Post) error {
	for _, h := range s.PostHooks {
		if err := h(ctx, tx, p); err != nil {
			return err
		}
	}
	return nil
}

// afterEdit runs after a post's text or counters changed.
func (s *Store) afterEdit(ctx context.Context, tx *sqlx.Tx, actor *Member, p *Post) error {
	return s.readersAfterEdit(ctx, tx, actor, p)
}

// afterDelete runs after a post was deleted.
func (s *Store) afterDelete(ctx context.Context, tx *sqlx.Tx, actor *Member, p *Post) error {
	return s.readersAfterDelete(ctx, tx, actor, p)
}

// afterThanks runs after a "Tack" was given.
func (s *Store) afterThanks(ctx context.Context, tx *sqlx.Tx, actor *Member, p *Post) error {
	return s.readersAfterThanks(ctx, tx, actor, p)
}

// afterAnswer runs after a reply was marked as a question's answer.
func (s *Store) afterAnswer(ctx context.Context, tx *sqlx.Tx, actor *Member, t *Topic, p *Post) error {
	return s.readersAfterAnswer(ctx, tx, actor, t, p)
}

// BeginBulkLoad prepares the database for a bulk load (kliv seed): work
// that can be done once at the end, such as building the search index,
// is put off until EndBulkLoad.
func (s *Store) BeginBulkLoad(ctx context.Context) error {
	return s.pauseSearchIndex(ctx)
}

// EndBulkLoad finishes a bulk load: it builds what BeginBulkLoad put off.
func (s *Store) EndBulkLoad(ctx context.Context) error {
	return s.rebuildSearchIndex(ctx)
}
