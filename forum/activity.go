package forum

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/i18n"
)

// SeenEvery is how often a member's use of the site is written down at
// most: a page view waits for that write once an hour, never more.
const SeenEvery = time.Hour

// WeekStart is the Monday 00:00 (Swedish time) of the week of t.
func WeekStart(t time.Time) time.Time {
	t = t.In(i18n.Stockholm)
	d := (int(t.Weekday()) + 6) % 7 // days since Monday
	y, m, day := t.Date()
	return time.Date(y, m, day-d, 0, 0, 0, 0, i18n.Stockholm)
}

// weekKey is the member_weeks key of the week of t.
func weekKey(t time.Time) string { return WeekStart(t).Format("2006-01-02") }

// NoteSeen records that a member used the site now: her last_seen_at,
// if it is older than SeenEvery, and this week's activity row. The
// caller keeps it to once an hour per member (cmd/kliv's seen cache);
// the conditions here keep it so across processes too.
func (s *Store) NoteSeen(ctx context.Context, memberID int64) error {
	now := s.now()
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE members SET last_seen_at = ? WHERE id = ? AND (last_seen_at IS NULL OR last_seen_at <= ?)`,
			now, memberID, now.Add(-SeenEvery)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO member_weeks (member_id, week) VALUES (?, ?) ON CONFLICT DO NOTHING`, memberID, weekKey(now))
		return err
	})
}

// MemberFilter narrows the admins' member list. Zero values match all.
type MemberFilter struct {
	Role   Role
	Status Status
	Sector string
	// Region is a region's code (forum/places); only members who show
	// their region are found by it, as in the directory.
	Region string
	// JoinedFrom and JoinedTo bound the day she became a member (or
	// applied, if she never did), both days included.
	JoinedFrom, JoinedTo time.Time
	// Seen: "7" or "30" (seen in the last so many days), "90+" (not seen
	// for 90 days or more, or never), "never".
	Seen string
	// Q matches username, display name or e-mail.
	Q    string
	Page int
}

// SeenFilters are the values of MemberFilter.Seen, in the order the
// form shows them.
var SeenFilters = []string{"7", "30", "90+", "never"}

// MemberRow is one member in the admins' list.
type MemberRow struct {
	ID          int64      `db:"id"`
	Username    string     `db:"username"`
	DisplayName string     `db:"display_name"`
	Email       string     `db:"email"`
	Role        Role       `db:"role"`
	Status      Status     `db:"status"`
	Sector      string     `db:"sector"`
	Workplace   string     `db:"workplace"`
	RoleTitle   string     `db:"role_title"`
	CreatedAt   time.Time  `db:"created_at"`
	ApprovedAt  *time.Time `db:"approved_at"`
	LastSeenAt  *time.Time `db:"last_seen_at"`
	// JoinedAt is when she became a member, or applied if she never did.
	JoinedAt time.Time `db:"-"`
}

// MembersPerPage is the length of a page of the admins' member list.
const MembersPerPage = 50

// AdminMembers lists accounts for admins, newest first, with the total
// that match.
func (s *Store) AdminMembers(ctx context.Context, actor *Member, f MemberFilter) ([]MemberRow, int, error) {
	if !actor.IsAdmin() {
		return nil, 0, Refuse(ErrForbidden, "error.admin_only")
	}
	var where []string
	var args []any
	if f.Role != "" {
		where, args = append(where, "role = ?"), append(args, f.Role)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Sector != "" {
		where, args = append(where, "sector = ?"), append(args, f.Sector)
	}
	if f.Region != "" {
		where, args = append(where, "region = ? AND show_region = TRUE"), append(args, f.Region)
	}
	joined := "COALESCE(approved_at, created_at)"
	if !f.JoinedFrom.IsZero() {
		where, args = append(where, joined+" >= ?"), append(args, f.JoinedFrom.UTC())
	}
	if !f.JoinedTo.IsZero() {
		where, args = append(where, joined+" < ?"), append(args, f.JoinedTo.AddDate(0, 0, 1).UTC())
	}
	now := s.now()
	switch f.Seen {
	case "":
	case "7", "30":
		days := 7
		if f.Seen == "30" {
			days = 30
		}
		where, args = append(where, "last_seen_at >= ?"), append(args, now.AddDate(0, 0, -days))
	case "90+":
		where, args = append(where, "(last_seen_at IS NULL OR last_seen_at < ?)"), append(args, now.AddDate(0, 0, -90))
	case "never":
		where = append(where, "last_seen_at IS NULL")
	default:
		return nil, 0, Invalid("seen", "error.field.choice")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		where = append(where, `(username LIKE ? ESCAPE '\' OR display_name LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.DB.GetContext(ctx, &total, `SELECT COUNT(*) FROM members`+cond, args...); err != nil {
		return nil, 0, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	var rows []MemberRow
	err := s.DB.SelectContext(ctx, &rows, `SELECT id, username, display_name, email, role, status, sector, workplace, role_title,
			created_at, approved_at, last_seen_at
		FROM members`+cond+` ORDER BY `+joined+` DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, MembersPerPage, (f.Page-1)*MembersPerPage)...)
	if err != nil {
		return nil, 0, err
	}
	for i := range rows {
		rows[i].JoinedAt = rows[i].CreatedAt
		if rows[i].ApprovedAt != nil {
			rows[i].JoinedAt = *rows[i].ApprovedAt
		}
	}
	return rows, total, nil
}

// Dashboard is the numbers moderators watch.
type Dashboard struct {
	// Pending is the join requests waiting for a decision, and how long
	// the oldest and the median of them have waited (0 with none).
	Pending    int
	OldestWait time.Duration
	MedianWait time.Duration
	// Weeks are the last DashboardWeeks weeks, oldest first, this week
	// last.
	Weeks []WeekStats
}

// WeekStats are one week's numbers.
type WeekStats struct {
	Start time.Time
	// NewMembers were approved that week; ActiveMembers posted or used
	// the site while signed in.
	NewMembers    int
	ActiveMembers int
}

// DashboardWeeks is how many weeks the dashboard shows.
const DashboardWeeks = 8

// Dashboard computes the moderators' numbers.
func (s *Store) Dashboard(ctx context.Context, actor *Member) (*Dashboard, error) {
	if !actor.IsModerator() {
		return nil, Refuse(ErrForbidden, "error.moderator_only")
	}
	now := s.now()
	d := &Dashboard{}
	var waiting []time.Time
	if err := s.DB.SelectContext(ctx, &waiting, `SELECT created_at FROM join_requests WHERE status = 'pending' ORDER BY created_at`); err != nil {
		return nil, err
	}
	d.Pending = len(waiting)
	if n := len(waiting); n > 0 {
		waits := make([]time.Duration, n)
		for i, t := range waiting {
			waits[i] = max(0, now.Sub(t))
		}
		sort.Slice(waits, func(i, j int) bool { return waits[i] > waits[j] })
		d.OldestWait = waits[0]
		if n%2 == 1 {
			d.MedianWait = waits[n/2]
		} else {
			d.MedianWait = (waits[n/2-1] + waits[n/2]) / 2
		}
	}
	first := WeekStart(now).AddDate(0, 0, -7*(DashboardWeeks-1))
	index := map[string]int{}
	for i := 0; i < DashboardWeeks; i++ {
		start := first.AddDate(0, 0, 7*i)
		d.Weeks = append(d.Weeks, WeekStats{Start: start})
		index[start.Format("2006-01-02")] = i
	}
	var approved []time.Time
	if err := s.DB.SelectContext(ctx, &approved, `SELECT approved_at FROM members WHERE approved_at >= ?`, first.UTC()); err != nil {
		return nil, err
	}
	for _, t := range approved {
		if i, ok := index[weekKey(t)]; ok {
			d.Weeks[i].NewMembers++
		}
	}
	active := make([]map[int64]bool, DashboardWeeks)
	for i := range active {
		active[i] = map[int64]bool{}
	}
	var seen []struct {
		MemberID int64  `db:"member_id"`
		Week     string `db:"week"`
	}
	if err := s.DB.SelectContext(ctx, &seen, `SELECT member_id, week FROM member_weeks WHERE week >= ?`, first.Format("2006-01-02")); err != nil {
		return nil, err
	}
	for _, r := range seen {
		if i, ok := index[r.Week]; ok {
			active[i][r.MemberID] = true
		}
	}
	from, err := s.firstPostSince(ctx, first)
	if err != nil {
		return nil, err
	}
	var posted []struct {
		AuthorID  int64     `db:"author_id"`
		CreatedAt time.Time `db:"created_at"`
	}
	if err := s.DB.SelectContext(ctx, &posted, `SELECT author_id, created_at FROM posts WHERE id >= ? AND author_id IS NOT NULL`, from); err != nil {
		return nil, err
	}
	for _, p := range posted {
		if i, ok := index[weekKey(p.CreatedAt)]; ok {
			active[i][p.AuthorID] = true
		}
	}
	for i := range active {
		d.Weeks[i].ActiveMembers = len(active[i])
	}
	return d, nil
}

// firstPostSince is the smallest post id written at or after t. Posts are
// numbered in the order they are written, so a binary search over ids
// (a few primary-key reads) finds it without scanning old posts.
func (s *Store) firstPostSince(ctx context.Context, t time.Time) (int64, error) {
	var hi int64
	if err := s.DB.GetContext(ctx, &hi, `SELECT COALESCE(MAX(id), 0) FROM posts`); err != nil {
		return 0, err
	}
	lo := int64(1)
	hi++
	for lo < hi {
		mid := lo + (hi-lo)/2
		var at []time.Time
		// The first post at or after mid (ids can have gaps).
		if err := s.DB.SelectContext(ctx, &at, `SELECT created_at FROM posts WHERE id >= ? ORDER BY id LIMIT 1`, mid); err != nil {
			return 0, fmt.Errorf("first post since: %w", err)
		}
		if len(at) == 0 || !at[0].Before(t) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}
