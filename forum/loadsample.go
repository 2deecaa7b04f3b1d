package forum

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jmoiron/sqlx"
)

// OpenReadOnly opens an existing SQLite database for reading only, for
// tools that look at a live forum beside its server (the load tool).
func OpenReadOnly(ctx context.Context, path string) (*sqlx.DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_busy_timeout", "5000")
	q.Set("_loc", "UTC")
	db, err := sqlx.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// LoadSample is what a load test picks its requests from: members who can
// sign in, long topics with some of their posts, and categories.
type LoadSample struct {
	Members    []string
	Topics     []LoadTopic
	Categories []string
	// Words are common words of the forum's text, for searches.
	Words []string
}

// LoadTopic is a topic a load test reads and writes in.
type LoadTopic struct {
	ID        int64 `db:"id"`
	PostCount int   `db:"post_count"`
	// Posts are some of its posts with their authors, for "Tack".
	Posts []LoadPost
}

// LoadPost is a post and its author.
type LoadPost struct {
	ID       int64 `db:"id"`
	AuthorID int64 `db:"author_id"`
}

// SampleForLoad reads up to members approved members (plain members, not
// staff), up to topics topics with at least minPosts posts (not locked,
// in open categories), postsPer posts of each and the categories' slugs.
func SampleForLoad(ctx context.Context, db *sqlx.DB, members, topics, minPosts, postsPer int) (*LoadSample, error) {
	var s LoadSample
	if err := db.SelectContext(ctx, &s.Members, `SELECT username FROM members WHERE status = 'approved' AND role = 'member'
		ORDER BY id LIMIT ?`, members); err != nil {
		return nil, fmt.Errorf("sample members: %w", err)
	}
	if err := db.SelectContext(ctx, &s.Topics, `SELECT t.id, t.post_count FROM topics t JOIN categories c ON c.id = t.category_id
		WHERE t.post_count >= ? AND t.locked_at IS NULL AND c.archived_at IS NULL ORDER BY t.id LIMIT ?`, minPosts, topics); err != nil {
		return nil, fmt.Errorf("sample topics: %w", err)
	}
	if err := db.SelectContext(ctx, &s.Categories, `SELECT slug FROM categories WHERE archived_at IS NULL ORDER BY position`); err != nil {
		return nil, fmt.Errorf("sample categories: %w", err)
	}
	for i := range s.Topics {
		if i >= 2000 {
			break // enough posts to thank; reading needs only the ids
		}
		t := &s.Topics[i]
		if err := db.SelectContext(ctx, &t.Posts, `SELECT id, COALESCE(author_id, 0) AS author_id FROM posts
			WHERE topic_id = ? AND deleted_at IS NULL ORDER BY seq LIMIT ?`, t.ID, postsPer); err != nil {
			return nil, fmt.Errorf("sample posts: %w", err)
		}
	}
	return &s, nil
}
