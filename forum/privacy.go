package forum

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Privacy (GDPR): a member can see and end her sessions, download all
// her data as one archive, and delete her account.

// SessionInfo is one of her sessions as the settings page lists it.
type SessionInfo struct {
	ID         int64     `db:"id" json:"id"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at" json:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at" json:"expires_at"`
	Current    bool      `db:"-" json:"current"`
}

// Sessions lists her live sessions, latest used first; current (0 for
// none) is marked.
func (s *Store) Sessions(ctx context.Context, memberID, current int64) ([]SessionInfo, error) {
	var ss []SessionInfo
	if err := s.DB.SelectContext(ctx, &ss, `SELECT id, created_at, last_seen_at, expires_at FROM sessions
		WHERE member_id = ? AND expires_at > ? ORDER BY last_seen_at DESC, id DESC`, memberID, s.now()); err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	for i := range ss {
		ss[i].Current = ss[i].ID == current
	}
	return ss, nil
}

// RevokeSession ends one of her sessions; the next request made with it
// is signed out. Another member's session is ErrNotFound.
func (s *Store) RevokeSession(ctx context.Context, memberID, id int64) error {
	res, err := s.DB.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? AND member_id = ?`, id, memberID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("session: %w", ErrNotFound)
	}
	return nil
}

// APITokenID returns the id of the token whose secret is tok, or 0, so
// lists can mark the token a request was made with.
func (s *Store) APITokenID(ctx context.Context, tok string) int64 {
	if tok == "" || len(tok) > 100 {
		return 0
	}
	var id int64
	_ = s.DB.GetContext(ctx, &id, `SELECT id FROM api_tokens WHERE token_hash = ?`, HashToken(tok))
	return id
}

// Posts choices when deleting an account.
const (
	// KeepPosts leaves her posts under "former member".
	KeepPosts = "keep"
	// RemovePosts deletes her posts' text (and topics no one else
	// answered).
	RemovePosts = "remove"
)

// secretCol matches the columns an export never contains: the hashes of
// her password and of her secrets (session ids, tokens, reset links) and
// CSRF tokens. A picture's content hash is no secret.
var secretCol = regexp.MustCompile(`^(password_hash|token_hash|csrf_token)$`)

// memberTables lists the tables with a member_id column that references
// members, read from the schema at run time, so tables other parts add
// are included.
func memberTables(ctx context.Context, q sqlx.QueryerContext) ([]string, error) {
	var ts []string
	err := sqlx.SelectContext(ctx, q, &ts, `SELECT DISTINCT tbl FROM (`+foreignKeysSQL(q)+`) f
		WHERE parent = 'members' AND col = 'member_id' ORDER BY tbl`)
	return ts, err
}

// foreignKeysSQL is a query of every single-column foreign key of the
// schema, one row each: tbl, col (the referencing table and column),
// parent, target (the column referenced; NULL for the parent's key on
// SQLite) and on_delete (NO ACTION, RESTRICT, CASCADE, SET NULL, SET
// DEFAULT), from SQLite's pragmas or PostgreSQL's catalog.
func foreignKeysSQL(q any) string {
	if IsPG(q) {
		return `SELECT c.conrelid::regclass::text AS tbl, a.attname::text AS col, c.confrelid::regclass::text AS parent,
			af.attname::text AS target,
			CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
				WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END AS on_delete
			FROM pg_constraint c
			JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
			JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
			WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`
	}
	return `SELECT m.name AS tbl, f."from" AS col, f."table" AS parent, f."to" AS target, upper(f.on_delete) AS on_delete
		FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`
}

// tableColumn is one column of a table as pragma_table_info gives it.
type tableColumn struct {
	Name    string         `db:"name"`
	Type    string         `db:"type"`
	NotNull bool           `db:"notnull"`
	Default sql.NullString `db:"dflt_value"`
	PK      int            `db:"pk"`
}

func tableColumns(ctx context.Context, q sqlx.QueryerContext, table string) ([]tableColumn, error) {
	var cs []tableColumn
	query := `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`
	if IsPG(q) {
		query = `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notnull",
			pg_get_expr(d.adbin, d.adrelid) AS dflt_value,
			COALESCE((SELECT array_position(i.indkey::int2[], a.attnum) FROM pg_index i
				WHERE i.indrelid = a.attrelid AND i.indisprimary), 0) AS pk
			FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			WHERE a.attrelid = CAST(? AS regclass) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`
	}
	err := sqlx.SelectContext(ctx, q, &cs, query, table)
	if err == nil && len(cs) == 0 {
		err = fmt.Errorf("table %s has no columns", table)
	}
	return cs, err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// exportRows reads the rows of table where col = id, every column but
// the secret ones, as JSON-ready maps.
func exportRows(ctx context.Context, q sqlx.QueryerContext, table, col string, id int64) ([]map[string]any, error) {
	cs, err := tableColumns(ctx, q, table)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range cs {
		if !secretCol.MatchString(c.Name) {
			names = append(names, quoteIdent(c.Name))
		}
	}
	rows, err := q.QueryxContext(ctx, `SELECT `+strings.Join(names, ", ")+` FROM `+quoteIdent(table)+` WHERE `+quoteIdent(col)+` = ? ORDER BY 1`, id)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", table, err)
	}
	defer rows.Close()
	out := []map[string]any{}
	for rows.Next() {
		m := map[string]any{}
		if err := rows.MapScan(m); err != nil {
			return nil, err
		}
		for k, v := range m {
			if b, ok := v.([]byte); ok {
				m[k] = string(b)
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// exportPost is one of her posts in the archive's posts.json.
type exportPost struct {
	ID         int64      `db:"id" json:"id"`
	TopicID    int64      `db:"topic_id" json:"topic_id"`
	TopicTitle string     `db:"topic_title" json:"topic_title"`
	Seq        int        `db:"seq" json:"seq"`
	ReplyTo    *int64     `db:"reply_to" json:"reply_to"`
	Body       string     `db:"body" json:"-"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	EditedAt   *time.Time `db:"edited_at" json:"edited_at"`
	DeletedAt  *time.Time `db:"deleted_at" json:"deleted_at"`
	File       string     `db:"-" json:"file"`
}

// exportConversation is one of her conversations in messages.json.
type exportConversation struct {
	ID           int64           `json:"id"`
	CreatedAt    time.Time       `json:"created_at"`
	Participants []string        `json:"participants"`
	Messages     []exportMessage `json:"messages"`
}

type exportMessage struct {
	ID        int64     `db:"id" json:"id"`
	AuthorID  *int64    `db:"author_id" json:"-"`
	From      string    `db:"author" json:"from"`
	Sent      bool      `db:"-" json:"sent_by_me"`
	Body      string    `db:"body" json:"body"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// Export writes all of m's data to w as a zip archive: profile.json
// (every column of her member row but the password hash), posts.json
// and posts/*.md (her posts in Markdown), messages.json (her
// conversations, messages sent and received), and tables/<name>.json for
// every table with rows of hers (join answers, sessions, tokens,
// bookmarks, follows, sign-ups…), secrets left out. It reads one
// snapshot of the database.
func (s *Store) Export(ctx context.Context, m *Member, w io.Writer) error {
	if m == nil || m.Status == StatusDeleted {
		return ErrUnauthenticated
	}
	tx, err := s.DB.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	z := zip.NewWriter(w)
	now := s.now()
	put := func(name string, v any) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: now})
		if err != nil {
			return err
		}
		if b, ok := v.(string); ok {
			_, err = io.WriteString(f, b)
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	profile, err := exportRows(ctx, tx, "members", "id", m.ID)
	if err != nil {
		return err
	}
	if len(profile) != 1 {
		return fmt.Errorf("export: member %d: %w", m.ID, ErrNotFound)
	}
	if err := put("profile.json", profile[0]); err != nil {
		return err
	}

	var posts []exportPost
	if err := tx.SelectContext(ctx, &posts, `SELECT p.id, p.topic_id, t.title AS topic_title, p.seq, p.reply_to, p.body,
			p.created_at, p.edited_at, p.deleted_at
		FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.author_id = ? ORDER BY p.id`, m.ID); err != nil {
		return fmt.Errorf("export posts: %w", err)
	}
	for i := range posts {
		p := &posts[i]
		if p.DeletedAt != nil {
			continue
		}
		p.File = fmt.Sprintf("posts/%d-%d.md", p.TopicID, p.ID)
		head := fmt.Sprintf("<!-- topic: %s (%s/t/%d), post %d, %s -->\n\n", strings.ReplaceAll(p.TopicTitle, "--", "- -"),
			s.BaseURL, p.TopicID, p.ID, p.CreatedAt.UTC().Format(time.RFC3339))
		if p.Seq == 1 {
			head += "# " + p.TopicTitle + "\n\n"
		}
		if err := put(p.File, head+p.Body+"\n"); err != nil {
			return err
		}
	}
	if posts == nil {
		posts = []exportPost{}
	}
	if err := put("posts.json", posts); err != nil {
		return err
	}

	convs, err := s.exportConversations(ctx, tx, m.ID)
	if err != nil {
		return err
	}
	if err := put("messages.json", convs); err != nil {
		return err
	}

	tables, err := memberTables(ctx, tx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		rows, err := exportRows(ctx, tx, t, "member_id", m.ID)
		if err != nil {
			return err
		}
		if err := put("tables/"+t+".json", rows); err != nil {
			return err
		}
	}
	readme := "Kliv: " + m.Username + "\n" + now.Format(time.RFC3339) + "\n\n" + exportReadme
	if err := put("README.txt", readme); err != nil {
		return err
	}
	return z.Close()
}

const exportReadme = `profile.json       – ditt medlemskonto / your account (every column but the password hash)
posts.json         – dina inlägg / your posts (list); the text is in posts/*.md
posts/*.md         – varje inlägg i Markdown / each post in Markdown
messages.json      – dina konversationer, skickade och mottagna meddelanden / your conversations
tables/*.json      – alla andra rader som är dina / every other row of yours
                     (join_requests: your join answers; sessions; api_tokens; bookmarks;
                     topic_follows, category_follows; notifications; mail_prefs; …)
`

func (s *Store) exportConversations(ctx context.Context, tx *sqlx.Tx, memberID int64) ([]exportConversation, error) {
	var cs []struct {
		ID        int64     `db:"id"`
		CreatedAt time.Time `db:"created_at"`
	}
	if err := tx.SelectContext(ctx, &cs, `SELECT c.id, c.created_at FROM conversations c
		JOIN conversation_members cm ON cm.conversation_id = c.id AND cm.member_id = ? ORDER BY c.id`, memberID); err != nil {
		return nil, fmt.Errorf("export conversations: %w", err)
	}
	out := []exportConversation{}
	for _, c := range cs {
		ec := exportConversation{ID: c.ID, CreatedAt: c.CreatedAt}
		if err := tx.SelectContext(ctx, &ec.Participants, `SELECT CASE WHEN m.status = 'deleted' THEN '' ELSE m.username END
			FROM conversation_members cm JOIN members m ON m.id = cm.member_id WHERE cm.conversation_id = ? ORDER BY m.id`, c.ID); err != nil {
			return nil, err
		}
		if err := tx.SelectContext(ctx, &ec.Messages, `SELECT x.id, x.author_id,
				COALESCE(CASE WHEN a.status = 'deleted' THEN '' ELSE a.username END, '') AS author, x.body, x.created_at
			FROM messages x LEFT JOIN members a ON a.id = x.author_id WHERE x.conversation_id = ? ORDER BY x.id`, c.ID); err != nil {
			return nil, err
		}
		for i := range ec.Messages {
			ec.Messages[i].Sent = ec.Messages[i].AuthorID != nil && *ec.Messages[i].AuthorID == memberID
		}
		out = append(out, ec)
	}
	return out, nil
}

// memberKeep are the columns of members an anonymised row keeps; every
// other column goes back to its declared default.
var memberKeep = map[string]bool{"id": true, "role": true, "status": true, "created_at": true, "approved_at": true}

// deleteKeepTables are tables with a member_id column whose rows stay
// when an account is deleted. None today: each kind of row of hers goes.
// A table added here keeps its rows, pointing at the anonymised member.
var deleteKeepTables = map[string]bool{}

// DeleteAccount deletes m's account after checking her password. posts
// is KeepPosts (her posts stay, signed "former member") or RemovePosts
// (their text goes; a topic she started goes too when no one else wrote
// in it, otherwise its first post becomes a deletion marker). It all
// happens in one transaction: her member row is anonymised (kept for the
// posts' sake, every personal column reset to its default), every row
// of every table with her member_id is deleted, her messages deleted,
// the mail queued to or about her removed or anonymised, and "Tack"
// counts kept right. Afterwards the search index is merged and the
// write-ahead log checkpointed, so with secure_delete on no deleted
// text stays behind in the database files.
func (s *Store) DeleteAccount(ctx context.Context, m *Member, password, posts string) error {
	if m == nil || m.Status == StatusDeleted {
		return ErrUnauthenticated
	}
	v := &ValidationError{}
	if posts != KeepPosts && posts != RemovePosts {
		v.Add("posts", "privacy.error.posts")
	}
	if password == "" {
		v.Add("password", "error.field.required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	fresh, err := s.Member(ctx, m.ID)
	if err != nil {
		return err
	}
	if !CheckPassword(fresh.PasswordHash, password) {
		return Invalid("password", "error.password.wrong")
	}
	err = InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		// Counted inside the transaction: two admins leaving at once
		// cannot leave none.
		if err := s.checkLastAdmin(ctx, tx, fresh); err != nil {
			return err
		}
		return s.deleteAccount(ctx, tx, fresh, posts)
	})
	if err != nil {
		return err
	}
	return s.compact(ctx, posts == RemovePosts)
}

// checkLastAdmin refuses to delete the only admin: the forum would have
// no one to run it.
func (s *Store) checkLastAdmin(ctx context.Context, q sqlx.QueryerContext, m *Member) error {
	if !m.IsAdmin() {
		return nil
	}
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT COUNT(*) FROM members WHERE role = 'admin' AND status = 'approved'`); err != nil {
		return err
	}
	if n <= 1 {
		return Refuse(ErrConflict, "privacy.error.last_admin")
	}
	return nil
}

func (s *Store) deleteAccount(ctx context.Context, tx *sqlx.Tx, m *Member, posts string) error {
	exec := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		return nil
	}
	former := s.bundle().T("sv", "post.author_gone")

	// Her "Tack": counts and grouped notifications of the thanked posts.
	if err := s.withdrawThanks(ctx, tx, m.ID); err != nil {
		return err
	}
	if posts == RemovePosts {
		if err := s.removeMemberPosts(ctx, tx, m.ID); err != nil {
			return err
		}
	}

	// Her messages go; so do conversations no one is left in.
	if err := exec(`DELETE FROM notifications WHERE kind = 'message' AND actor_id = ?`, m.ID); err != nil {
		return err
	}
	var convs []int64
	if err := tx.SelectContext(ctx, &convs, `SELECT DISTINCT conversation_id FROM messages WHERE author_id = ?`, m.ID); err != nil {
		return err
	}
	if err := exec(`DELETE FROM messages WHERE author_id = ?`, m.ID); err != nil {
		return err
	}
	for _, cid := range convs {
		if err := exec(`UPDATE conversations SET message_count = (SELECT COUNT(*) FROM messages WHERE conversation_id = ?1),
			last_message_at = COALESCE((SELECT MAX(created_at) FROM messages WHERE conversation_id = ?1), created_at) WHERE id = ?1`, cid); err != nil {
			return err
		}
	}

	// Mail: what was queued for her goes; what others were sent about her
	// no longer names her.
	if err := exec(`DELETE FROM outbox WHERE member_id = ? OR to_addr = ?`, m.ID, m.Email); err != nil {
		return err
	}
	for _, name := range []string{m.Email, m.DisplayName, "@" + m.Username} {
		if strings.TrimSpace(name) == "" || name == "@" {
			continue
		}
		d := DialectOf(tx)
		if err := exec(`UPDATE outbox SET subject = replace(subject, ?1, ?2), body = replace(body, ?1, ?2)
			WHERE `+d.Contains("subject", "?1")+` OR `+d.Contains("body", "?1"), name, former); err != nil {
			return err
		}
		// The audit log keeps what was done to whom by id; a name in its
		// free text goes.
		if err := exec(`UPDATE audit_log SET reason = replace(reason, ?1, ?2), detail = replace(detail, ?1, ?2)
			WHERE `+d.Contains("reason", "?1")+` OR `+d.Contains("detail", "?1"), name, former); err != nil {
			return err
		}
	}

	// Every row of every table that is hers.
	tables, err := memberTables(ctx, tx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if deleteKeepTables[t] {
			continue
		}
		if err := deleteRows(ctx, tx, t, `member_id = ?`, []any{m.ID}, 0); err != nil {
			return err
		}
	}
	// Rows that point at her through other columns and would go with her
	// row (ON DELETE CASCADE), such as a block of her by someone else.
	var fks []struct {
		Table string `db:"tbl"`
		Col   string `db:"col"`
	}
	if err := tx.SelectContext(ctx, &fks, `SELECT tbl, col FROM (`+foreignKeysSQL(tx)+`) f
		WHERE tbl <> 'members' AND parent = 'members' AND col <> 'member_id' AND on_delete = 'CASCADE'
		ORDER BY 1, 2`); err != nil {
		return err
	}
	for _, fk := range fks {
		if deleteKeepTables[fk.Table] {
			continue
		}
		if err := deleteRows(ctx, tx, fk.Table, quoteIdent(fk.Col)+` = ?`, []any{m.ID}, 0); err != nil {
			return err
		}
	}
	if err := exec(`DELETE FROM conversations WHERE NOT EXISTS (SELECT 1 FROM conversation_members cm
		JOIN members p ON p.id = cm.member_id WHERE cm.conversation_id = conversations.id AND p.id <> ? AND p.status <> 'deleted')`, m.ID); err != nil {
		return err
	}

	// The member row itself, anonymised: the columns in memberKeep stay,
	// every other goes back to its declared default.
	cols, err := tableColumns(ctx, tx, "members")
	if err != nil {
		return err
	}
	var sets []string
	var args []any
	for _, c := range cols {
		switch {
		case memberKeep[c.Name]:
			continue
		case c.Name == "username" || c.Name == "email":
			sets = append(sets, quoteIdent(c.Name)+" = ?")
			args = append(args, DeletedUsername(m.ID))
		case c.Name == "password_hash":
			// Matches no password: CheckPassword refuses anything
			// that is not a hash it made.
			sets = append(sets, quoteIdent(c.Name)+" = '!'")
		case c.Default.Valid:
			sets = append(sets, quoteIdent(c.Name)+" = "+c.Default.String)
		case c.NotNull:
			sets = append(sets, quoteIdent(c.Name)+" = "+zeroFor(c.Type))
		default:
			sets = append(sets, quoteIdent(c.Name)+" = NULL")
		}
	}
	sets = append(sets, "status = 'deleted'")
	args = append(args, m.ID)
	if err := exec(`UPDATE members SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...); err != nil {
		return err
	}
	return s.Audit(ctx, tx, AuditLine{Action: "member.delete", TargetType: "member", TargetID: m.ID, Detail: posts})
}

// deleteRows deletes the rows of table that match where, first deleting
// the rows of other tables that point at them through a foreign key
// with no ON DELETE action (which would refuse the delete); CASCADE and
// SET NULL keys SQLite follows itself. So a table another part adds
// under one of hers (the answers of a sign-up, say) never blocks an
// account's deletion.
func deleteRows(ctx context.Context, tx *sqlx.Tx, table, where string, args []any, depth int) error {
	if depth > 8 {
		return fmt.Errorf("delete %s: foreign keys nested too deep", table)
	}
	var refs []struct {
		Table string         `db:"tbl"`
		From  string         `db:"col"`
		To    sql.NullString `db:"target"`
	}
	if err := tx.SelectContext(ctx, &refs, `SELECT tbl, col, target FROM (`+foreignKeysSQL(tx)+`) f
		WHERE parent = ? AND on_delete IN ('NO ACTION', 'RESTRICT', 'SET DEFAULT') ORDER BY 1, 2`, table); err != nil {
		return err
	}
	for _, r := range refs {
		to := r.To.String
		if !r.To.Valid || to == "" {
			var pk []string
			cols, err := tableColumns(ctx, tx, table)
			for _, c := range cols {
				if c.PK == 1 {
					pk = append(pk, c.Name)
				}
			}
			if err != nil || len(pk) != 1 {
				return fmt.Errorf("delete %s: the key %s.%s points at: %v", table, r.Table, r.From, err)
			}
			to = pk[0]
		}
		sub := quoteIdent(r.From) + ` IN (SELECT ` + quoteIdent(to) + ` FROM ` + quoteIdent(table) + ` WHERE ` + where + `)`
		if r.Table == "members" {
			// Never another member's account: her reference is cleared.
			if _, err := tx.ExecContext(ctx, `UPDATE members SET `+quoteIdent(r.From)+` = NULL WHERE `+sub, args...); err != nil {
				return fmt.Errorf("delete account: members.%s: %w", r.From, err)
			}
			continue
		}
		if err := deleteRows(ctx, tx, r.Table, sub, args, depth+1); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(table)+` WHERE `+where, args...); err != nil {
		return fmt.Errorf("delete account: %s: %w", table, err)
	}
	return nil
}

// DeletedUsername is the username (and e-mail) a deleted account is left
// with: unique, personal to no one, and never a name or address the
// forms accept, so it cannot be taken or reached.
func DeletedUsername(id int64) string { return "deleted:" + strconv.FormatInt(id, 10) }

// zeroFor is the empty value of a NOT NULL column with no default.
func zeroFor(declared string) string {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "BOOL"):
		return "FALSE"
	case strings.Contains(t, "INT"), strings.Contains(t, "REAL"), strings.Contains(t, "NUM"), strings.Contains(t, "DOUBLE"):
		return "0"
	case strings.Contains(t, "BLOB"):
		return "X''"
	case strings.Contains(t, "TIME"), strings.Contains(t, "DATE"):
		return "'1970-01-01T00:00:00Z'"
	}
	return "''"
}

// withdrawThanks takes back every "Tack" she gave: the post and topic
// counts go down and the grouped thanks notification of each post
// forgets her (and goes when no thanks are left).
func (s *Store) withdrawThanks(ctx context.Context, tx *sqlx.Tx, memberID int64) error {
	var postIDs []int64
	if err := tx.SelectContext(ctx, &postIDs, `SELECT post_id FROM reactions WHERE member_id = ? ORDER BY post_id`, memberID); err != nil {
		return err
	}
	for _, pid := range postIDs {
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET thanks_count = `+s.Dialect().Greatest("0", "thanks_count - 1")+` WHERE id = ?`, pid); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE topics SET thanks_count = `+s.Dialect().Greatest("0", "thanks_count - 1")+`
			WHERE id = (SELECT topic_id FROM posts WHERE id = ? AND seq = 1)`, pid); err != nil {
			return err
		}
		var ns []struct {
			ID      int64         `db:"id"`
			Data    string        `db:"data"`
			ActorID sql.NullInt64 `db:"actor_id"`
		}
		if err := tx.SelectContext(ctx, &ns, `SELECT id, data, actor_id FROM notifications WHERE post_id = ? AND kind = 'thanks'`, pid); err != nil {
			return err
		}
		for _, n := range ns {
			d := decodeData(n.Data)
			count := dataInt(d["count"]) - 1
			if count <= 0 {
				if _, err := tx.ExecContext(ctx, `DELETE FROM notifications WHERE id = ?`, n.ID); err != nil {
					return err
				}
				continue
			}
			var ids []int64
			for _, a := range dataIDs(d["actor_ids"]) {
				if a != memberID {
					ids = append(ids, a)
				}
			}
			if ids == nil {
				ids = []int64{}
			}
			d["actor_ids"], d["count"] = ids, count
			enc, err := encodeData(d)
			if err != nil {
				return err
			}
			var actor any = n.ActorID
			if n.ActorID.Valid && n.ActorID.Int64 == memberID {
				actor = nil
				if len(ids) > 0 {
					actor = ids[0]
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notifications SET data = ?, actor_id = ? WHERE id = ?`, enc, actor, n.ID); err != nil {
				return err
			}
		}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM reactions WHERE member_id = ?`, memberID)
	return err
}

// removeMemberPosts deletes the text of all her posts. A topic she
// started in which no one else has a post left goes entirely; in one
// that others answered, her first post stays as a deletion marker, so the
// replies keep their place. Revisions of the removed posts go too.
func (s *Store) removeMemberPosts(ctx context.Context, tx *sqlx.Tx, memberID int64) error {
	var topics []struct {
		ID         int64 `db:"id"`
		CategoryID int64 `db:"category_id"`
		PostCount  int   `db:"post_count"`
	}
	if err := tx.SelectContext(ctx, &topics, `SELECT t.id, t.category_id, t.post_count FROM topics t
		JOIN posts p ON p.topic_id = t.id AND p.seq = 1 WHERE p.author_id = ?
		AND NOT EXISTS (SELECT 1 FROM posts o WHERE o.topic_id = t.id AND o.deleted_at IS NULL
			AND (o.author_id IS NULL OR o.author_id <> ?))`, memberID, memberID); err != nil {
		return err
	}
	for _, t := range topics {
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET topic_count = topic_count - 1, post_count = post_count - ? WHERE id = ?`,
			t.PostCount, t.CategoryID); err != nil {
			return err
		}
		// Replies elsewhere cannot point into this topic (reply_to stays
		// within a topic); its posts, revisions, reactions, reads,
		// follows and notifications go with it (ON DELETE CASCADE).
		if _, err := tx.ExecContext(ctx, `DELETE FROM topics WHERE id = ?`, t.ID); err != nil {
			return err
		}
	}
	var postIDs []int64
	if err := tx.SelectContext(ctx, &postIDs, `SELECT id FROM posts WHERE author_id = ? ORDER BY id`, memberID); err != nil {
		return err
	}
	now := s.now()
	for _, pid := range postIDs {
		for _, q := range []string{
			`UPDATE posts SET body = '', body_html = '', deleted_at = COALESCE(deleted_at, ?), deleted_by = CASE WHEN deleted_by = '' THEN 'author' ELSE deleted_by END,
				version = version + 1 WHERE id = ?`,
			`DELETE FROM post_revisions WHERE post_id = ?`,
			`UPDATE topics SET answer_post_id = NULL WHERE answer_post_id = ?`,
			`DELETE FROM notifications WHERE post_id = ?`,
		} {
			args := []any{pid}
			if strings.Contains(q, "COALESCE(deleted_at") {
				args = []any{now, pid}
			}
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return fmt.Errorf("remove posts: %w", err)
			}
		}
	}
	// Mail that quoted her removed posts to others.
	for _, pid := range postIDs {
		link := s.BaseURL + "/p/" + strconv.FormatInt(pid, 10) + "\n"
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE kind LIKE 'notification.%' AND `+DialectOf(tx).Contains("body", "?"), link); err != nil {
			return err
		}
	}
	return nil
}

// compact makes deleted text unrecoverable from the files: the search
// index is merged into one segment when posts left it (FTS4 keeps the
// terms of deleted rows in older segments until they are merged; the
// merge rewrites the whole index, so it is skipped when no indexed text
// went), and the write-ahead log is checkpointed and truncated;
// secure_delete (db.go) has zeroed the freed space. A reader holding an
// old snapshot can keep the checkpoint from finishing; then the next
// automatic checkpoint overwrites the frames.
func (s *Store) compact(ctx context.Context, searchIndex bool) error {
	if s.PG() {
		// PostgreSQL's search index is a table whose rows went with the
		// posts, and its files are PostgreSQL's: the dead rows are
		// reclaimed by autovacuum (a VACUUM of the member's tables is the
		// operator's, not a request's).
		return nil
	}
	if searchIndex {
		if _, err := s.DB.ExecContext(ctx, `INSERT INTO post_search (post_search) VALUES ('optimize')`); err != nil {
			return fmt.Errorf("compact search index: %w", err)
		}
	}
	var busy, logged, done int
	if err := s.DB.QueryRowxContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// SentMailRetention is how long a copy of a sent (or finally failed)
// mail stays in the outbox, for troubleshooting; the privacy page says
// so.
const SentMailRetention = 30 * 24 * time.Hour

// PurgeSentMail deletes the outbox's copies of mail sent or given up on
// longer than SentMailRetention ago.
func (s *Store) PurgeSentMail(ctx context.Context) error {
	cut := s.now().Add(-SentMailRetention)
	_, err := s.DB.ExecContext(ctx, `DELETE FROM outbox WHERE (status = 'sent' AND sent_at < ?) OR (status = 'failed' AND created_at < ?)`, cut, cut)
	return err
}
