package forum

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// The readers' part of the hooks in hooks.go: read marks, automatic
// following and notifications, recorded in the change's transaction.

// readersAfterPost marks the new post read for its author, follows the
// topic for her (see autoFollow) and notifies the people it concerns.
func (s *Store) readersAfterPost(ctx context.Context, tx *sqlx.Tx, actor *Member, t *Topic, p *Post) error {
	if err := s.readOwnPost(ctx, tx, actor.ID, p); err != nil {
		return err
	}
	if err := s.autoFollow(ctx, tx, actor.ID, t, s.now()); err != nil {
		return err
	}
	return s.notifyPost(ctx, tx, actor, t, p)
}

// readersAfterEdit tells members an edit newly mentions.
func (s *Store) readersAfterEdit(ctx context.Context, tx *sqlx.Tx, actor *Member, p *Post) error {
	return s.notifyMentionsOnEdit(ctx, tx, actor, p)
}

// readersAfterDelete drops the notifications about a deleted post: they
// would lead to a text that is gone.
func (s *Store) readersAfterDelete(ctx context.Context, tx *sqlx.Tx, actor *Member, p *Post) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM notifications WHERE post_id = ?`, p.ID)
	return err
}

// readersAfterThanks tells the author of the post, grouped per post.
func (s *Store) readersAfterThanks(ctx context.Context, tx *sqlx.Tx, actor *Member, p *Post) error {
	if p.AuthorID == nil {
		return nil
	}
	var count int
	if err := tx.GetContext(ctx, &count, `SELECT thanks_count FROM posts WHERE id = ?`, p.ID); err != nil {
		return err
	}
	return s.notify(ctx, tx, Notification{MemberID: *p.AuthorID, Kind: NotifyThanks, TopicID: p.TopicID, PostID: p.ID,
		ActorID: actor.ID, Data: map[string]any{"count": count}})
}

// readersAfterAnswer tells the author of the reply marked as the answer.
func (s *Store) readersAfterAnswer(ctx context.Context, tx *sqlx.Tx, actor *Member, t *Topic, p *Post) error {
	if p.AuthorID == nil {
		return nil
	}
	return s.notify(ctx, tx, Notification{MemberID: *p.AuthorID, Kind: NotifyAnswer, TopicID: t.ID, PostID: p.ID, ActorID: actor.ID})
}
