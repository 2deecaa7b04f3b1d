package forum

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// A bulk load (kliv seed) writes rows whose counters the caller has
// already worked out, each row once, in large transactions over one
// connection. The normal methods (CreateTopic, CreatePost, Thank) keep
// the counters one statement at a time, which is right for one member and
// far too slow for a million posts; CheckCounters verifies that a bulk
// load left exactly what those methods would have.

// BulkMember is an account written by a bulk load.
type BulkMember struct {
	ID           int64
	Username     string
	Email        string
	DisplayName  string
	PasswordHash string
	Role         Role
	Status       Status
	// RoleTitle, Workplace and Sector are the verified role line that
	// approval copies from the join request.
	RoleTitle  string
	Workplace  string
	Sector     string
	CreatedAt  time.Time
	ApprovedAt time.Time // zero unless approved
}

// BulkJoinRequest is a join request written by a bulk load.
type BulkJoinRequest struct {
	MemberID            int64
	Workplace           string
	RoleTitle           string
	StaffResponsibility bool
	Sector              string
	Motivation          string
	Status              string
	Reason              string
	DecidedBy           int64 // 0 while undecided
	DecidedAt           time.Time
	CreatedAt           time.Time
}

// BulkTopic is a topic written by a bulk load, with the counters its
// posts give it.
type BulkTopic struct {
	ID           int64
	CategoryID   int64
	AuthorID     int64
	Kind         string
	Title        string
	URL          string // "" for none; already normalised
	FirstPostID  int64
	AnswerPostID int64 // 0 for none
	PostCount    int
	ThanksCount  int
	LockedAt     time.Time // zero unless locked
	Pinned       bool
	CreatedAt    time.Time
	LastPostAt   time.Time
	LastPostID   int64
	LastPosterID int64
}

// BulkPost is a post written by a bulk load, with its counters.
type BulkPost struct {
	ID          int64
	TopicID     int64
	Seq         int
	AuthorID    int64
	ReplyTo     int64 // 0 for none
	Body        string
	BodyHTML    string
	Version     int
	ThanksCount int
	ReplyCount  int
	CreatedAt   time.Time
	EditedAt    time.Time // zero unless edited
	DeletedAt   time.Time // zero unless deleted
	DeletedBy   string
}

// BulkRevision is an earlier version of an edited post.
type BulkRevision struct {
	PostID    int64
	Version   int
	Body      string
	BodyHTML  string
	EditedBy  int64
	CreatedAt time.Time
}

// BulkReaction is one "Tack".
type BulkReaction struct {
	PostID    int64
	MemberID  int64
	CreatedAt time.Time
}

// Bulk writes rows in transactions of about Batch rows each over one
// connection of its own. It is not safe for concurrent use: one goroutine
// writes, others may prepare the rows.
type Bulk struct {
	// Batch is how many rows a transaction takes before it is committed
	// and the next begun.
	Batch int

	conn    *sqlx.Conn
	restore []string // the PRAGMAs that put the connection back
	tx      *sqlx.Tx
	stmts   map[string]*sqlx.Stmt
	rows    int
	pg      bool
	// Rows counts every row written so far.
	Rows int64
}

// NewBulk takes a connection for a bulk load and tunes it for one: no
// fsync per commit (a crash loses the demo data being loaded, never
// earlier data, since WAL stays on) and a large page cache. Close gives the
// connection back as it was.
func (s *Store) NewBulk(ctx context.Context) (*Bulk, error) {
	conn, err := s.DB.Connx(ctx)
	if err != nil {
		return nil, err
	}
	b := &Bulk{Batch: 10000, conn: conn, stmts: map[string]*sqlx.Stmt{}, pg: IsPG(s.DB)}
	if b.pg {
		// The same bargain on PostgreSQL: commits do not wait for the
		// log to reach the disk (a crash loses only the last batches).
		if _, err := conn.ExecContext(ctx, "SET synchronous_commit = off"); err != nil {
			conn.Close()
			return nil, fmt.Errorf("bulk: %w", err)
		}
		b.restore = []string{"RESET synchronous_commit"}
		return b, nil
	}
	for _, p := range bulkPragmas {
		var was int64
		if err := conn.GetContext(ctx, &was, "PRAGMA "+p.name); err != nil {
			conn.Close()
			return nil, fmt.Errorf("bulk: read %s: %w", p.name, err)
		}
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA %s = %d", p.name, p.value)); err != nil {
			conn.Close()
			return nil, fmt.Errorf("bulk: set %s: %w", p.name, err)
		}
		b.restore = append(b.restore, fmt.Sprintf("PRAGMA %s = %d", p.name, was))
	}
	return b, nil
}

// bulkPragmas are the connection's settings during a bulk load: no fsync
// (0, OFF), a 128 MiB page cache, temporary B-trees in memory (2).
var bulkPragmas = []struct {
	name  string
	value int64
}{{"synchronous", 0}, {"cache_size", -131072}, {"temp_store", 2}}

// MaxIDs returns the largest member, topic and post ids in use, so a bulk
// load can number its rows after them.
func (b *Bulk) MaxIDs(ctx context.Context) (member, topic, post int64, err error) {
	err = b.conn.QueryRowxContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM members), (SELECT COALESCE(MAX(id), 0) FROM topics),
		(SELECT COALESCE(MAX(id), 0) FROM posts)`).Scan(&member, &topic, &post)
	return member, topic, post, err
}

// exec runs one of the bulk statements, writing one row, inside the
// current transaction.
func (b *Bulk) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return b.execRows(ctx, 1, query, args...)
}

// execRows runs a statement that writes rows rows inside the current
// transaction, beginning one when none is open and committing it after
// Batch rows.
func (b *Bulk) execRows(ctx context.Context, rows int, query string, args ...any) (sql.Result, error) {
	if err := b.begin(ctx); err != nil {
		return nil, err
	}
	st, ok := b.stmts[query]
	if !ok {
		var err error
		if st, err = b.tx.PreparexContext(ctx, query); err != nil {
			return nil, fmt.Errorf("bulk: prepare: %w", err)
		}
		b.stmts[query] = st
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return nil, translate(err)
	}
	b.rows += rows
	b.Rows += int64(rows)
	if b.Batch > 0 && b.rows >= b.Batch {
		if err := b.Flush(ctx); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// begin opens the batch's transaction unless one is open.
func (b *Bulk) begin(ctx context.Context) error {
	if b.tx != nil {
		return nil
	}
	// The transaction lives until Flush or Close, not as long as
	// the context of the statement that happened to begin it.
	tx, err := b.conn.BeginTxx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return translate(err)
	}
	b.tx = tx
	return nil
}

// counted advances after one row written outside execRows.
func (b *Bulk) counted(ctx context.Context) error {
	b.rows++
	b.Rows++
	if b.Batch > 0 && b.rows >= b.Batch {
		return b.Flush(ctx)
	}
	return nil
}

// pgSequences are the tables whose ids a bulk load gives itself: on
// PostgreSQL their identity sequences are moved past them, so rows added
// later by the normal methods get fresh ids.
var pgSequences = []string{"members", "topics", "posts"}

// Flush commits the open transaction, if any.
func (b *Bulk) Flush(ctx context.Context) error {
	if b.tx == nil {
		return nil
	}
	if b.pg {
		for _, t := range pgSequences {
			if _, err := b.tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM "+t+"), false)"); err != nil {
				return fmt.Errorf("bulk: sequence of %s: %w", t, err)
			}
		}
	}
	for q, st := range b.stmts {
		st.Close()
		delete(b.stmts, q)
	}
	err := b.tx.Commit()
	b.tx, b.rows = nil, 0
	if err != nil {
		return fmt.Errorf("bulk: commit: %w", translate(err))
	}
	return nil
}

// Close rolls back what was not flushed, restores the connection's
// settings and gives it back to the pool.
func (b *Bulk) Close() error {
	if b.tx != nil {
		for q, st := range b.stmts {
			st.Close()
			delete(b.stmts, q)
		}
		_ = b.tx.Rollback()
		b.tx = nil
	}
	var err error
	for _, p := range b.restore {
		if _, perr := b.conn.ExecContext(context.Background(), p); err == nil {
			err = perr
		}
	}
	if cerr := b.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// bulkTime turns the zero time into NULL.
func bulkTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// bulkID turns 0 into NULL.
func bulkID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Member writes an account.
func (b *Bulk) Member(ctx context.Context, m *BulkMember) error {
	_, err := b.exec(ctx, `INSERT INTO members (id, username, email, display_name, password_hash, role, status, lang, created_at, approved_at,
		role_title, workplace, sector) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)`,
		m.ID, m.Username, m.Email, m.DisplayName, m.PasswordHash, m.Role, m.Status, m.CreatedAt.UTC(), bulkTime(m.ApprovedAt),
		m.RoleTitle, m.Workplace, m.Sector)
	if err != nil {
		return fmt.Errorf("bulk member %s: %w", m.Username, err)
	}
	return nil
}

// JoinRequest writes a join request and returns its id.
func (b *Bulk) JoinRequest(ctx context.Context, j *BulkJoinRequest) (int64, error) {
	if err := b.begin(ctx); err != nil {
		return 0, err
	}
	id, err := InsertID(ctx, b.tx, `INSERT INTO join_requests (member_id, workplace, role_title, staff_responsibility, sector, motivation,
		rules_accepted_at, status, reason, decided_by, decided_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.MemberID, j.Workplace, j.RoleTitle, j.StaffResponsibility, j.Sector, j.Motivation, j.CreatedAt.UTC(), j.Status, j.Reason,
		bulkID(j.DecidedBy), bulkTime(j.DecidedAt), j.CreatedAt.UTC())
	if err != nil {
		return 0, fmt.Errorf("bulk join request: %w", translate(err))
	}
	return id, b.counted(ctx)
}

// Audit writes a line of the audit log.
func (b *Bulk) Audit(ctx context.Context, actorID int64, action, targetType string, targetID int64, reason string, at time.Time) error {
	return writeAudit(ctx, bulkExec{b}, AuditLine{ActorID: actorID, Action: action, TargetType: targetType, TargetID: targetID, Reason: reason}, at)
}

// bulkExec runs the audit writer's statement in the bulk load's batch.
type bulkExec struct{ b *Bulk }

func (e bulkExec) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return e.b.exec(ctx, query, args...)
}

// Topic writes a topic with its counters.
func (b *Bulk) Topic(ctx context.Context, t *BulkTopic) error {
	var url any
	if t.URL != "" {
		url = t.URL
	}
	_, err := b.exec(ctx, `INSERT INTO topics (id, category_id, author_id, kind, title, url, first_post_id, answer_post_id, post_count,
		thanks_count, locked_at, pinned, created_at, last_post_at, last_post_id, last_poster_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.CategoryID, bulkID(t.AuthorID), t.Kind, t.Title, url, bulkID(t.FirstPostID), bulkID(t.AnswerPostID), t.PostCount,
		t.ThanksCount, bulkTime(t.LockedAt), t.Pinned, t.CreatedAt.UTC(), t.LastPostAt.UTC(), bulkID(t.LastPostID), bulkID(t.LastPosterID))
	if err != nil {
		return fmt.Errorf("bulk topic %d: %w", t.ID, err)
	}
	return nil
}

// postsPerInsert is how many posts one INSERT statement carries: fewer
// round trips into SQLite, far below its limit of 32 766 parameters.
const postsPerInsert = 32

const postCols14 = `(id, topic_id, seq, author_id, reply_to, body, body_html, version, thanks_count, reply_count, created_at, edited_at, deleted_at, deleted_by)`

var postInsertMany = `INSERT INTO posts ` + postCols14 + ` VALUES ` +
	strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", postsPerInsert), ", ")

// Posts writes posts with their counters, in the order given.
func (b *Bulk) Posts(ctx context.Context, ps []BulkPost) error {
	args := make([]any, 0, 14*postsPerInsert)
	for len(ps) > 0 {
		n := min(len(ps), postsPerInsert)
		q := postInsertMany
		if n < postsPerInsert {
			q = `INSERT INTO posts ` + postCols14 + ` VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
		}
		args = args[:0]
		for i := range ps[:n] {
			p := &ps[i]
			version := max(p.Version, 1)
			args = append(args, p.ID, p.TopicID, p.Seq, bulkID(p.AuthorID), bulkID(p.ReplyTo), p.Body, p.BodyHTML, version,
				p.ThanksCount, p.ReplyCount, p.CreatedAt.UTC(), bulkTime(p.EditedAt), bulkTime(p.DeletedAt), p.DeletedBy)
		}
		if _, err := b.execRows(ctx, n, q, args...); err != nil {
			return fmt.Errorf("bulk posts from %d: %w", ps[0].ID, err)
		}
		ps = ps[n:]
	}
	return nil
}

// Revision writes an earlier version of an edited post.
func (b *Bulk) Revision(ctx context.Context, r *BulkRevision) error {
	_, err := b.exec(ctx, `INSERT INTO post_revisions (post_id, version, body, body_html, edited_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.PostID, r.Version, r.Body, r.BodyHTML, bulkID(r.EditedBy), r.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("bulk revision of post %d: %w", r.PostID, err)
	}
	return nil
}

// Reaction writes one "Tack"; the post's thanks_count must already count it.
func (b *Bulk) Reaction(ctx context.Context, r *BulkReaction) error {
	_, err := b.exec(ctx, `INSERT INTO reactions (post_id, member_id, created_at) VALUES (?, ?, ?)`, r.PostID, r.MemberID, r.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("bulk reaction on post %d: %w", r.PostID, err)
	}
	return nil
}

// AddCategoryCounts adds topics and posts to a category's counters.
func (b *Bulk) AddCategoryCounts(ctx context.Context, categoryID int64, topics, posts int) error {
	_, err := b.exec(ctx, `UPDATE categories SET topic_count = topic_count + ?, post_count = post_count + ? WHERE id = ?`,
		topics, posts, categoryID)
	return err
}

// CheckCounters compares every denormalised counter with what the rows
// say (COUNT(*) and friends) and describes each kind of mismatch found,
// with a few examples; nil means all agree. It reads the whole forum, so
// it takes seconds on a large one.
func (s *Store) CheckCounters(ctx context.Context) ([]string, error) {
	checks := []struct{ what, query string }{
		{"topics.post_count or seq numbering", `SELECT t.id FROM topics t LEFT JOIN (SELECT topic_id, COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi
			FROM posts GROUP BY topic_id) p ON p.topic_id = t.id
			WHERE t.post_count <> COALESCE(p.n, 0) OR (p.n > 0 AND (p.lo <> 1 OR p.hi <> p.n))`},
		{"topics.first_post_id", `SELECT t.id FROM topics t WHERE t.post_count > 0 AND t.first_post_id IS DISTINCT FROM
			(SELECT id FROM posts WHERE topic_id = t.id AND seq = 1)`},
		{"topics.last_post_id/last_post_at/last_poster_id", `SELECT t.id FROM topics t JOIN posts p ON p.topic_id = t.id AND p.seq = t.post_count
			WHERE t.last_post_id IS DISTINCT FROM p.id OR t.last_post_at <> p.created_at
			OR (t.last_poster_id IS DISTINCT FROM p.author_id AND p.author_id IS NOT NULL)`},
		{"topics.thanks_count", `SELECT t.id FROM topics t JOIN posts p ON p.topic_id = t.id AND p.seq = 1 WHERE t.thanks_count <> p.thanks_count`},
		{"topics.answer_post_id", `SELECT t.id FROM topics t LEFT JOIN posts p ON p.id = t.answer_post_id
			WHERE t.answer_post_id IS NOT NULL AND (t.kind <> 'question' OR p.id IS NULL OR p.topic_id <> t.id OR p.seq = 1 OR p.deleted_at IS NOT NULL)`},
		{"posts.thanks_count", `SELECT p.id FROM posts p LEFT JOIN (SELECT post_id, COUNT(*) AS n FROM reactions GROUP BY post_id) r
			ON r.post_id = p.id WHERE p.thanks_count <> COALESCE(r.n, 0)`},
		{"posts.reply_count", `SELECT p.id FROM posts p LEFT JOIN (SELECT reply_to, COUNT(*) AS n FROM posts WHERE reply_to IS NOT NULL
			GROUP BY reply_to) r ON r.reply_to = p.id WHERE p.reply_count <> COALESCE(r.n, 0)`},
		{"posts.reply_to in another topic", `SELECT p.id FROM posts p JOIN posts r ON r.id = p.reply_to WHERE r.topic_id <> p.topic_id`},
		{"reactions on one's own post", `SELECT r.post_id FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.author_id = r.member_id`},
		{"categories.topic_count/post_count", `SELECT c.id FROM categories c LEFT JOIN (SELECT category_id, COUNT(*) AS n, SUM(post_count) AS np
			FROM topics GROUP BY category_id) t ON t.category_id = c.id
			WHERE c.topic_count <> COALESCE(t.n, 0) OR c.post_count <> COALESCE(t.np, 0)`},
	}
	var out []string
	for _, c := range checks {
		var ids []int64
		if err := s.DB.SelectContext(ctx, &ids, c.query+` LIMIT 5`); err != nil {
			return nil, fmt.Errorf("check %s: %w", c.what, err)
		}
		if len(ids) > 0 {
			out = append(out, fmt.Sprintf("%s wrong for ids %v", c.what, ids))
		}
	}
	return out, nil
}
