package forum

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"

	"kliv/forum/dbtest"
)

// migrateDataTarget makes a fresh PostgreSQL database migrated by the
// PostgreSQL migrations (skipping on SQLite: the copy needs a real
// server) and returns a connection to it.
func migrateDataTarget(t *testing.T) (*pgx.Conn, string) {
	t.Helper()
	dbtest.OnlyPG(t)
	url := dbtest.Migrated(t, "", testSchema)
	conn, err := OpenMigrateTarget(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn, url
}

// migrateDataSource is a SQLite forum of this kliv's schema, whichever
// database the suite runs on, with every table filled generically
// (three rows each where the filler can), its values made to fit the
// target's types: flags 0 or 1 where the target has a boolean, JSON where
// it has jsonb. It returns the target's jsonb columns.
func migrateDataSource(t *testing.T, dst *pgx.Conn, rows int) (*sqlx.DB, map[string]bool, map[string]map[string]bool) {
	t.Helper()
	ctx := context.Background()
	src, err := Open(ctx, filepath.Join(t.TempDir(), "source.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	if err := Migrate(ctx, src); err != nil {
		t.Fatal(err)
	}
	filled := fill(t, src, rows)
	jsonCols := map[string]map[string]bool{}
	if dst == nil {
		return src, filled, jsonCols
	}
	r, err := dst.Query(ctx, `SELECT table_name, column_name, udt_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND udt_name IN ('bool', 'jsonb', 'json')`)
	if err != nil {
		t.Fatal(err)
	}
	type tc struct{ table, col, udt string }
	var cols []tc
	for r.Next() {
		var x tc
		if err := r.Scan(&x.table, &x.col, &x.udt); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, x)
	}
	r.Close()
	var srcTables = map[string]bool{}
	for _, tb := range tables(t, src) {
		srcTables[tb.name] = true
	}
	for _, c := range cols {
		if !srcTables[c.table] {
			continue
		}
		q := fmt.Sprintf(`UPDATE "%s" SET "%s" = "%s" %% 2`, c.table, c.col, c.col)
		if c.udt != "bool" {
			q = fmt.Sprintf(`UPDATE "%s" SET "%s" = '{"n": ' || rowid || ', "å": "ä"}'`, c.table, c.col)
			if jsonCols[c.table] == nil {
				jsonCols[c.table] = map[string]bool{}
			}
			jsonCols[c.table][c.col] = true
		}
		if _, err := src.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return src, filled, jsonCols
}

// mdRows reads every row of a table, each as its values in column order
// in one normal form, sorted: the two databases' rows compare as sets.
func mdRows(t *testing.T, rows interface {
	Next() bool
	Err() error
}, scan func() ([]any, error), cols []string, jsonCols map[string]bool) []string {
	t.Helper()
	var out []string
	for rows.Next() {
		vals, err := scan()
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for i, v := range vals {
			var s string
			switch x := v.(type) {
			case nil:
				s = "NULL"
			case time.Time:
				s = x.UTC().Format(time.RFC3339Nano)
			case bool:
				s = "0"
				if x {
					s = "1"
				}
			case int64:
				s = strconv.FormatInt(x, 10)
			case int32:
				s = strconv.FormatInt(int64(x), 10)
			case float64:
				s = strconv.FormatFloat(x, 'g', -1, 64)
			case []byte:
				s = string(x)
			case string:
				s = x
			default:
				// jsonb comes back decoded.
				b, _ := json.Marshal(x)
				s = string(b)
			}
			if jsonCols[cols[i]] && s != "NULL" {
				var j any
				if err := json.Unmarshal([]byte(s), &j); err == nil {
					b, _ := json.Marshal(j)
					s = string(b)
				}
			}
			parts = append(parts, cols[i]+"="+s)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// A whole forum moves: every table the generic filler fills is in the
// target afterwards, row by row, value by value; ids keep counting on.
func TestMigrateDataCopiesEveryTable(t *testing.T) {
	dst, url := migrateDataTarget(t)
	ctx := context.Background()
	src, filled, jsonCols := migrateDataSource(t, dst, 3)
	for _, must := range []string{"members", "topics", "posts", "post_revisions", "outbox", "sessions", "notifications", "topic_reads", "events", "messages"} {
		if !filled[must] {
			t.Fatalf("the filler left %s empty", must)
		}
	}
	// Two readable posts for the search index (the filler gives every
	// time column a time, deleted_at and hidden_at too).
	if _, err := src.Exec(`UPDATE posts SET deleted_at = NULL, hidden_at = NULL WHERE id <= 2`); err != nil {
		t.Fatal(err)
	}
	var calls []string
	res, err := MigrateData(ctx, src, dst, MigrateDataOptions{
		Sessions:      true,
		ProgressEvery: 2,
		Progress:      func(tb string, done, total int64) { calls = append(calls, fmt.Sprintf("%s %d/%d", tb, done, total)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) == 0 || !strings.Contains(strings.Join(calls, "\n"), "posts 3/3") {
		t.Errorf("progress did not report the posts: %q", calls)
	}
	copied := map[string]int64{}
	for _, tc := range res.Tables {
		copied[tc.Name] = tc.Rows
	}
	skipped := strings.Join(res.Skipped, "\n")
	if !strings.Contains(skipped, "search_bulk_load:") {
		t.Errorf("skipped = %q, want the full-text bulk-load marker", res.Skipped)
	}
	for _, tb := range tables(t, src) {
		if strings.Contains("\n"+skipped, "\n"+tb.name+":") {
			continue
		}
		cols := make([]string, len(tb.cols))
		quoted := make([]string, len(tb.cols))
		for i, c := range tb.cols {
			cols[i] = c.Name
			quoted[i] = `"` + c.Name + `"`
		}
		jc := jsonCols[tb.name]
		q := "SELECT " + strings.Join(quoted, ", ") + " FROM \"" + tb.name + "\""
		srows, err := src.Queryx(q)
		if err != nil {
			t.Fatal(err)
		}
		want := mdRows(t, srows, srows.SliceScan, cols, jc)
		srows.Close()
		prows, err := dst.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got := mdRows(t, prows, prows.Values, cols, jc)
		prows.Close()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("table %s differs after the copy:\n got %q\nwant %q", tb.name, got, want)
		}
		if filled[tb.name] && copied[tb.name] != int64(len(want)) {
			t.Errorf("table %s: %d rows reported copied, %d in the source", tb.name, copied[tb.name], len(want))
		}
	}
	// The search index is rebuilt from the copied posts.
	if err := FinishMigrateTarget(ctx, url); err != nil {
		t.Fatal(err)
	}
	var indexed, readable int
	if err := dst.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM post_search), (SELECT COUNT(*) FROM posts WHERE deleted_at IS NULL AND hidden_at IS NULL)`).Scan(&indexed, &readable); err != nil {
		t.Fatal(err)
	}
	if indexed != readable || readable != 2 {
		t.Errorf("%d posts in the search index, %d readable", indexed, readable)
	}
	var marks int
	if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM search_bulk_load`).Scan(&marks); err != nil || marks != 0 {
		t.Errorf("bulk-load marks left: %d (%v)", marks, err)
	}

	// The identity sequences moved past the copied ids.
	var maxID, next int64
	if err := dst.QueryRow(ctx, `SELECT MAX(id) FROM members`).Scan(&maxID); err != nil {
		t.Fatal(err)
	}
	if err := dst.QueryRow(ctx, `INSERT INTO members (username, email, display_name, password_hash, role, status, lang, created_at, role_title, workplace, sector, auto_follow, show_workplace, show_role, show_sector)
		VALUES ('ny', 'ny@example.org', 'Ny', 'x', 'member', 'approved', '', now(), '', '', '', true, true, true, true) RETURNING id`).Scan(&next); err != nil {
		t.Fatal(err)
	}
	if next != maxID+1 {
		t.Errorf("new member id %d after copied ids up to %d", next, maxID)
	}
}

// A target that holds a forum already is refused, and nothing of the
// source is written into it; so is a database with tables not Kliv's.
func TestMigrateDataRefusesNonEmptyTarget(t *testing.T) {
	dst, _ := migrateDataTarget(t)
	ctx := context.Background()
	src, _, _ := migrateDataSource(t, dst, 2)
	if _, err := dst.Exec(ctx, `INSERT INTO members (username, email, display_name, password_hash, role, status, created_at)
		VALUES ('finns', 'finns@example.org', 'Finns', 'x', 'admin', 'approved', now())`); err != nil {
		t.Fatal(err)
	}
	_, err := MigrateData(ctx, src, dst, MigrateDataOptions{})
	if !errors.Is(err, ErrTargetNotEmpty) || !strings.Contains(err.Error(), "members") {
		t.Fatalf("err = %v, want the target refused naming members", err)
	}
	var n int
	if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM posts`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("posts in the refused target: %d (%v)", n, err)
	}

	other := dbtest.Empty(t, "")
	oc, err := pgx.Connect(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close(ctx)
	if _, err := oc.Exec(ctx, `CREATE TABLE invoices (id int)`); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenMigrateTarget(ctx, other); !errors.Is(err, ErrTargetNotEmpty) || !strings.Contains(err.Error(), "invoices") {
		t.Fatalf("someone else's database: err = %v", err)
	}
}

// Without --sessions the sessions stay behind; a source older than this
// kliv, or a target without Kliv's tables, is refused with what to do; a
// freshly created database is migrated by OpenMigrateTarget.
func TestMigrateDataSessionsAndRefusals(t *testing.T) {
	dbtest.OnlyPG(t)
	ctx := context.Background()
	bare, err := pgx.Connect(ctx, dbtest.Empty(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close(ctx)
	src, _, _ := migrateDataSource(t, nil, 2)
	if _, err := MigrateData(ctx, src, bare, MigrateDataOptions{}); err == nil || !strings.Contains(err.Error(), "no Kliv tables") {
		t.Fatalf("target without tables: err = %v", err)
	}

	fresh := dbtest.Empty(t, "")
	dst, err := OpenMigrateTarget(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close(ctx)
	src, _, _ = migrateDataSource(t, dst, 2)
	res, err := MigrateData(ctx, src, dst, MigrateDataOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("sessions copied without --sessions: %d (%v)", n, err)
	}
	if err := dst.QueryRow(ctx, `SELECT COUNT(*) FROM posts`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("no posts copied into the fresh database: %d (%v)", n, err)
	}
	if !strings.Contains(strings.Join(res.Skipped, "\n"), "sessions") {
		t.Errorf("skipped = %q, want sessions named", res.Skipped)
	}

	old, err := Open(ctx, filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if err := MigrateTo(ctx, old, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := MigrateData(ctx, old, dst, MigrateDataOptions{}); err == nil || !strings.Contains(err.Error(), "older") {
		t.Fatalf("older source: err = %v", err)
	}
}

// TestMigrateDataSeedTiming moves a big forum and logs how long it took:
// KLIV_MIGRATE_SEED names a copy of the 1M-post seed (it is migrated to
// this kliv's schema first, so never the original).
func TestMigrateDataSeedTiming(t *testing.T) {
	path := os.Getenv("KLIV_MIGRATE_SEED")
	if path == "" {
		t.Skip("set KLIV_MIGRATE_SEED to a copy of a seeded database to time a large copy")
	}
	dst, _ := migrateDataTarget(t)
	ctx := context.Background()
	src, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	t0 := time.Now()
	if err := Migrate(ctx, src); err != nil {
		t.Fatal(err)
	}
	t.Logf("source migrated to this kliv's schema in %s", time.Since(t0).Round(time.Millisecond))
	last := time.Now()
	res, err := MigrateData(ctx, src, dst, MigrateDataOptions{Sessions: true, Progress: func(tb string, done, total int64) {
		if time.Since(last) > 10*time.Second || done == total {
			t.Logf("%s %d/%d", tb, done, total)
			last = time.Now()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for _, tc := range res.Tables {
		rows += tc.Rows
	}
	t.Logf("copied %d rows in %d tables in %s", rows, len(res.Tables), res.Elapsed.Round(time.Millisecond))
}
