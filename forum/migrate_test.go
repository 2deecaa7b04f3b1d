package forum

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum/dbtest"
)

// testSchema builds the PostgreSQL template of the test harness.
var testSchema = dbtest.Schema{Key: SchemaKey(), Migrate: MigrateURL}

// openTestDB opens an empty database (a file in t.TempDir(), or a fresh
// PostgreSQL database under KLIV_TEST_POSTGRES), unmigrated.
func openTestDB(t *testing.T) *sqlx.DB {
	t.Helper()
	return openTestURL(t, dbtest.Empty(t, "test.db"))
}

// openMigratedDB opens a fresh database with every migration applied.
func openMigratedDB(t *testing.T) *sqlx.DB {
	t.Helper()
	db := openTestURL(t, dbtest.Migrated(t, "test.db", testSchema))
	if err := Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return db
}

func openTestURL(t *testing.T, dsn string) *sqlx.DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// schema dumps the database's schema, for comparing two of them.
func schema(t *testing.T, db *sqlx.DB) string {
	t.Helper()
	var rows []string
	if err := db.Select(&rows, `SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`); err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}

func appliedVersions(t *testing.T, db *sqlx.DB) []int {
	t.Helper()
	var vs []int
	if err := db.Select(&vs, `SELECT version FROM schema_migrations ORDER BY version`); err != nil {
		t.Fatal(err)
	}
	return vs
}

func versionsOf(ms []Migration) []int {
	var vs []int
	for _, m := range ms {
		vs = append(vs, m.Version)
	}
	return vs
}

func TestMigrationsApplyTwice(t *testing.T) {
	ctx := context.Background()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations: %v", versionsOf(ms))
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Version <= ms[i-1].Version {
			t.Fatalf("migrations out of order: %v", versionsOf(ms))
		}
	}
	path := filepath.Join(t.TempDir(), "twice.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	first := schema(t, db)
	if err := Migrate(ctx, db); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	db.Close()
	// As at a restart: open again and migrate again.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := Migrate(ctx, db); err != nil {
		t.Fatalf("Migrate after reopening: %v", err)
	}
	if got := schema(t, db); got != first {
		t.Errorf("schema changed by a second Migrate:\n%s\n---\n%s", first, got)
	}
	if got, want := fmt.Sprint(appliedVersions(t, db)), fmt.Sprint(versionsOf(ms)); got != want {
		t.Errorf("schema_migrations %s, want %s", got, want)
	}
}

// table is a table of the schema as the generic filler sees it.
type table struct {
	name string
	sql  string
	cols []column
	// rowidCol is the INTEGER PRIMARY KEY column (an alias of the
	// rowid), which the filler leaves to SQLite; "" when there is none.
	rowidCol string
	fks      map[string][2]string // column → referenced table, column
}

type column struct {
	Name    string  `db:"name"`
	Type    string  `db:"type"`
	NotNull bool    `db:"notnull"`
	Default *string `db:"dflt_value"`
	PK      int     `db:"pk"`
	CID     int     `db:"cid"`
}

// tables lists the ordinary tables: not SQLite's own, not the migration
// record, not virtual tables (full-text indexes) and their shadow tables.
func tables(t *testing.T, db *sqlx.DB) []table {
	t.Helper()
	var all []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := db.Select(&all, `SELECT name, COALESCE(sql, '') AS sql FROM sqlite_master WHERE type = 'table' ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	var virtual []string
	for _, tb := range all {
		if strings.HasPrefix(strings.ToUpper(tb.SQL), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, tb.Name)
		}
	}
	var out []table
next:
	for _, tb := range all {
		if strings.HasPrefix(tb.Name, "sqlite_") || tb.Name == "schema_migrations" {
			continue
		}
		for _, v := range virtual {
			if tb.Name == v || strings.HasPrefix(tb.Name, v+"_") {
				continue next
			}
		}
		x := table{name: tb.Name, sql: tb.SQL, fks: map[string][2]string{}}
		if err := db.Select(&x.cols, `SELECT cid, name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, tb.Name); err != nil {
			t.Fatal(err)
		}
		var pks []column
		for _, c := range x.cols {
			if c.PK > 0 {
				pks = append(pks, c)
			}
		}
		if len(pks) == 1 && strings.EqualFold(pks[0].Type, "INTEGER") {
			x.rowidCol = pks[0].Name
		}
		var fks []struct {
			Table string  `db:"table"`
			From  string  `db:"from"`
			To    *string `db:"to"`
		}
		if err := db.Select(&fks, `SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)`, tb.Name); err != nil {
			t.Fatal(err)
		}
		for _, fk := range fks {
			to := "rowid"
			if fk.To != nil && *fk.To != "" {
				to = *fk.To
			}
			x.fks[fk.From] = [2]string{fk.Table, to}
		}
		out = append(out, x)
	}
	return out
}

// checkIn finds the values a CHECK (col IN (...)) allows, if any.
func checkIn(sql, col string) []string {
	re := regexp.MustCompile(`(?is)CHECK\s*\(\s*"?` + regexp.QuoteMeta(col) + `"?\s+IN\s*\(([^)]*)\)`)
	m := re.FindStringSubmatch(sql)
	if m == nil {
		return nil
	}
	var vals []string
	for _, v := range strings.Split(m[1], ",") {
		vals = append(vals, strings.TrimSpace(v))
	}
	return vals
}

// fill puts rows rows in every ordinary table, generically: foreign keys
// point at rows of the referenced table, CHECK (x IN …) columns take an
// allowed value, other columns a value of their type. A table it cannot
// fill is reported with t.Logf, so a new constraint does not break the
// test, only narrows it.
func fill(t *testing.T, db *sqlx.DB, rows int) map[string]bool {
	t.Helper()
	ts := tables(t, db)
	filled := map[string]bool{}
	lastErr := map[string]error{}
	base := time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	for pass := 0; pass < len(ts)+1; pass++ {
		progress := false
		for _, tb := range ts {
			if filled[tb.name] {
				continue
			}
			var names, marks []string
			var vals [][]any
			ready := true
			for _, c := range tb.cols {
				if c.Name == tb.rowidCol {
					continue
				}
				names = append(names, `"`+c.Name+`"`)
				marks = append(marks, "?")
			}
			for r := 0; r < rows && ready; r++ {
				var row []any
				for _, c := range tb.cols {
					if c.Name == tb.rowidCol {
						continue
					}
					if ref, ok := tb.fks[c.Name]; ok {
						var refs []any
						err := db.Select(&refs, fmt.Sprintf(`SELECT "%s" FROM "%s" ORDER BY rowid LIMIT %d`, ref[1], ref[0], rows))
						if ref[0] == tb.name {
							// Self reference: leave it empty when it may be.
							if !c.NotNull {
								row = append(row, nil)
								continue
							}
						}
						if err != nil || len(refs) == 0 {
							ready = false
							break
						}
						row = append(row, refs[r%len(refs)])
						continue
					}
					if in := checkIn(tb.sql, c.Name); in != nil {
						v := in[r%len(in)]
						if strings.HasPrefix(v, "'") {
							row = append(row, strings.Trim(v, "'"))
						} else {
							row = append(row, v)
						}
						continue
					}
					typ := strings.ToUpper(c.Type)
					switch {
					case strings.Contains(typ, "INT"):
						row = append(row, r+1)
					case strings.Contains(typ, "TIME"), strings.Contains(typ, "DATE"):
						row = append(row, base.Add(time.Duration(r)*time.Hour))
					case strings.Contains(typ, "REAL"), strings.Contains(typ, "FLOA"), strings.Contains(typ, "DOUB"):
						row = append(row, float64(r)+0.5)
					case strings.Contains(typ, "BLOB"):
						row = append(row, []byte{byte(r), 1, 2})
					default:
						row = append(row, fmt.Sprintf("%s %s %d", tb.name, c.Name, r))
					}
				}
				vals = append(vals, row)
			}
			if !ready {
				continue
			}
			q := fmt.Sprintf(`INSERT INTO "%s" (%s) VALUES (%s)`, tb.name, strings.Join(names, ", "), strings.Join(marks, ", "))
			if len(names) == 0 {
				q = fmt.Sprintf(`INSERT INTO "%s" DEFAULT VALUES`, tb.name)
			}
			err := InTx(context.Background(), db, func(tx *sqlx.Tx) error {
				for _, row := range vals {
					if _, err := tx.Exec(q, row...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				lastErr[tb.name] = err
				continue
			}
			filled[tb.name] = true
			progress = true
		}
		if !progress {
			break
		}
	}
	for _, tb := range ts {
		if !filled[tb.name] {
			t.Logf("could not fill table %s generically (%v); its rows are not checked", tb.name, lastErr[tb.name])
		}
	}
	return filled
}

// snapshot reads every row of every ordinary table, keyed by rowid.
func snapshot(t *testing.T, db *sqlx.DB) map[string]map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]map[string]string{}
	for _, tb := range tables(t, db) {
		rows, err := db.Queryx(fmt.Sprintf(`SELECT rowid AS "__rowid", * FROM "%s"`, tb.name))
		withRowid := err == nil
		if err != nil {
			rows, err = db.Queryx(fmt.Sprintf(`SELECT * FROM "%s"`, tb.name))
		}
		if err != nil {
			t.Fatal(err)
		}
		out[tb.name] = map[string]map[string]string{}
		i := 0
		for rows.Next() {
			m := map[string]any{}
			if err := rows.MapScan(m); err != nil {
				t.Fatal(err)
			}
			row := map[string]string{}
			for k, v := range m {
				switch x := v.(type) {
				case []byte:
					v = string(x)
				case time.Time:
					v = x.UTC().Format(time.RFC3339Nano)
				}
				row[k] = fmt.Sprint(v)
			}
			key := fmt.Sprint(i)
			if withRowid {
				key = row["__rowid"]
				delete(row, "__rowid")
			}
			out[tb.name][key] = row
			i++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// Data written under any earlier schema survives every later migration:
// a database is migrated up to each version in turn, every table filled,
// then migrated to the newest, and each row must still be there with
// every column it had (columns may be added, not lost).
func TestMigrationsKeepRows(t *testing.T) {
	dbtest.SkipOnPG(t, "the generic filler reads SQLite's catalog (pragma_table_info, pragma_foreign_key_list); PostgreSQL's schema is one migration so far")
	ctx := context.Background()
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		t.Run(m.Name, func(t *testing.T) {
			db := openTestDB(t)
			if err := MigrateTo(ctx, db, m.Version); err != nil {
				t.Fatal(err)
			}
			if got, want := appliedVersions(t, db), versionsOf(ms); fmt.Sprint(got) != fmt.Sprint(upTo(want, m.Version)) {
				t.Fatalf("MigrateTo(%d) applied %v", m.Version, got)
			}
			filled := fill(t, db, 2)
			if !filled["members"] {
				t.Fatal("the generic filler cannot even fill members")
			}
			before := snapshot(t, db)
			if err := Migrate(ctx, db); err != nil {
				t.Fatalf("Migrate from %d: %v", m.Version, err)
			}
			after := snapshot(t, db)
			var names []string
			for name := range before {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				rows := before[name]
				now, ok := after[name]
				if !ok {
					if len(rows) > 0 {
						t.Errorf("table %s with %d rows is gone after migrating from %d", name, len(rows), m.Version)
					}
					continue
				}
				for key, row := range rows {
					got, ok := now[key]
					if !ok {
						t.Errorf("%s row %s lost migrating from %d", name, key, m.Version)
						continue
					}
					for col, v := range row {
						if g, ok := got[col]; !ok {
							t.Errorf("%s.%s dropped migrating from %d", name, col, m.Version)
						} else if g != v {
							t.Errorf("%s row %s: %s changed from %q to %q migrating from %d", name, key, col, v, g, m.Version)
						}
					}
				}
			}
			if err := db.Ping(); err != nil {
				t.Fatal(err)
			}
			var problems []string
			if err := db.Select(&problems, `SELECT "table" || ' ' || COALESCE("parent", '') FROM pragma_foreign_key_check`); err != nil {
				t.Fatal(err)
			}
			if len(problems) > 0 {
				t.Errorf("foreign keys broken after migrating from %d: %v", m.Version, problems)
			}
		})
	}
}

func upTo(vs []int, v int) []int {
	var out []int
	for _, x := range vs {
		if x <= v {
			out = append(out, x)
		}
	}
	return out
}

// A migration that fails halfway leaves nothing of itself behind: the
// ones before it stay applied and recorded, it and the ones after it are
// neither applied nor recorded, and a fixed one applies on the next run.
func TestMigrationFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	shipped, err := MigrationsFor(db)
	if err != nil {
		t.Fatal(err)
	}
	last := shipped[len(shipped)-1].Version
	broken := Migration{Version: last + 1, Name: fmt.Sprintf("%04d_broken.sql", last+1), SQL: `
		CREATE TABLE half_done (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
		INSERT INTO half_done (note) VALUES ('written before the failure');
		ALTER TABLE members ADD COLUMN half_done_flag INTEGER;
		INSERT INTO no_such_table (x) VALUES (1);`}
	later := Migration{Version: last + 2, Name: fmt.Sprintf("%04d_later.sql", last+2), SQL: `CREATE TABLE later (id INTEGER PRIMARY KEY);`}
	ms := append(append([]Migration(nil), shipped...), broken, later)

	if IsPG(db) {
		// PostgreSQL applies one start's migrations in one transaction:
		// what stays after a failure is what an earlier start applied.
		if err := migrate(ctx, db, shipped, -1); err != nil {
			t.Fatal(err)
		}
	}
	err = migrate(ctx, db, ms, -1)
	if err == nil || !strings.Contains(err.Error(), broken.Name) {
		t.Fatalf("a failing migration gave %v", err)
	}
	if got, want := fmt.Sprint(appliedVersions(t, db)), fmt.Sprint(versionsOf(shipped)); got != want {
		t.Fatalf("schema_migrations %s after the failure, want %s", got, want)
	}
	var n int
	tablesQ, columnQ := `SELECT COUNT(*) FROM sqlite_master WHERE name IN ('half_done', 'later')`,
		`SELECT COUNT(*) FROM pragma_table_info('members') WHERE name = 'half_done_flag'`
	if IsPG(db) {
		tablesQ = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('half_done', 'later')`
		columnQ = `SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'members' AND column_name = 'half_done_flag'`
	}
	if err := db.Get(&n, tablesQ); err != nil || n != 0 {
		t.Fatalf("a failed migration left %d tables behind (%v)", n, err)
	}
	if err := db.Get(&n, columnQ); err != nil || n != 0 {
		t.Fatalf("a failed migration left a column behind (%v)", err)
	}
	// The database still works, and the shipped schema is whole.
	s := NewStore(db, "http://kliv.test")
	s.Hash = TestPasswordParams
	if _, err := s.CreateMember(ctx, db, NewMember{Username: "anna", Email: "anna@example.se", DisplayName: "Anna", Password: "ett långt lösenord"}); err != nil {
		t.Fatalf("create member after a failed migration: %v", err)
	}

	// Fixed, it applies on the next start, and so does the one after it.
	ms[len(ms)-2].SQL = `CREATE TABLE half_done (id INTEGER PRIMARY KEY, note TEXT NOT NULL);`
	if err := migrate(ctx, db, ms, -1); err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(appliedVersions(t, db)), fmt.Sprint(versionsOf(ms)); got != want {
		t.Fatalf("schema_migrations %s, want %s", got, want)
	}
	if err := db.Get(&n, `SELECT COUNT(*) FROM members`); err != nil || n != 1 {
		t.Fatalf("members after the fix: %d %v", n, err)
	}
}
