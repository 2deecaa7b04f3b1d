package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"
)

// Moving a network from SQLite to PostgreSQL (kliv migrate-data).
//
// The copy is generic over the tables: it reads the SQLite schema and the
// target's columns (information_schema), copies every table the two share
// with PostgreSQL's COPY (pgx CopyFrom), in foreign-key order, inside one
// transaction on the target and one read transaction on the source (a
// consistent snapshot even while a server writes to the file). Values are
// mapped by the target column's type: 0/1 to boolean, text or parsed
// times to timestamptz, JSON text to jsonb as it is. Nothing is dropped
// silently: a source column or a non-empty source table without a
// counterpart in the target stops the copy with its name.

// MigrateDataOptions tune a copy.
type MigrateDataOptions struct {
	// Sessions copies the signed-in sessions too, so nobody has to sign
	// in again; without it members sign in anew on the new server.
	Sessions bool
	// Progress, when set, is called as rows are copied (about every
	// ProgressEvery rows and once at the end of each table).
	Progress func(table string, done, total int64)
	// ProgressEvery is the row interval of Progress calls (default 50000).
	ProgressEvery int64
}

// MigrateDataResult says what a copy did.
type MigrateDataResult struct {
	Tables  []TableCopied
	Skipped []string // source tables left out, with why
	Elapsed time.Duration
}

// TableCopied is one copied table.
type TableCopied struct {
	Name string
	Rows int64
}

// ErrTargetNotEmpty is returned when the target already holds a forum.
var ErrTargetNotEmpty = errors.New("the target database is not empty")

// sqliteOnlyTables are source tables with no place in PostgreSQL: the
// full-text index's bookkeeping (PostgreSQL's search columns are rebuilt
// from the posts instead).
var sqliteOnlyTables = map[string]string{
	"schema_migrations": "SQLite's own migration record",
	"search_bulk_load":  "SQLite's full-text bulk-load marker",
}

// seededTables hold rows the migrations themselves insert (default
// categories, join questions, reject reasons). They do not make a target
// "not empty"; the source's rows replace them.
var seededTables = map[string]bool{
	"categories":         true,
	"event_list_version": true,
	"join_questions":     true,
	"reject_reasons":     true,
	"settings":           true,
}

type srcTable struct {
	name     string
	cols     []string
	decl     map[string]string // column → declared SQLite type
	refs     []string          // tables it references (not itself)
	order    string            // ORDER BY clause
	rowCount int64
}

type dstColumn struct {
	name      string
	udt       string
	nullable  bool
	generated bool
}

// OpenMigrateTarget connects to the PostgreSQL database at dsn for a
// copy: a database that holds tables but no Kliv schema is refused (it
// is someone else's); otherwise the PostgreSQL migrations are applied,
// so a freshly created database is ready.
func OpenMigrateTarget(ctx context.Context, dsn string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("connect to the target %s: %w", RedactURL(dsn), rootCause(err))
	}
	var ours bool
	var others []string
	err = func() error {
		if err := conn.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&ours); err != nil {
			return err
		}
		rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name LIMIT 5`)
		if err != nil {
			return err
		}
		others, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}()
	if err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("target: %w", err)
	}
	if !ours && len(others) > 0 {
		conn.Close(ctx)
		return nil, fmt.Errorf("%w: it holds tables that are not Kliv's (%s); give a freshly created database", ErrTargetNotEmpty, strings.Join(others, ", "))
	}
	if err := MigrateURL(ctx, dsn); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	return conn, nil
}

// MigrateData copies the SQLite forum src into the empty PostgreSQL
// database dst (already migrated by the PostgreSQL migrations).
func MigrateData(ctx context.Context, src *sqlx.DB, dst *pgx.Conn, opt MigrateDataOptions) (MigrateDataResult, error) {
	start := time.Now()
	var res MigrateDataResult
	if opt.ProgressEvery <= 0 {
		opt.ProgressEvery = 50000
	}
	if err := checkSourceCurrent(ctx, src); err != nil {
		return res, err
	}
	// One read transaction on one connection: every table is read from
	// the same snapshot. BEGIN by hand, as the pool's transactions are
	// BEGIN IMMEDIATE (they would block a running server's writes).
	sconn, err := src.Connx(ctx)
	if err != nil {
		return res, fmt.Errorf("source: %w", err)
	}
	defer sconn.Close()
	if _, err := sconn.ExecContext(ctx, "BEGIN DEFERRED"); err != nil {
		return res, fmt.Errorf("source: %w", err)
	}
	defer sconn.ExecContext(context.Background(), "ROLLBACK")

	tables, skipped, err := sourceTables(ctx, sconn, opt)
	if err != nil {
		return res, err
	}
	res.Skipped = skipped

	tx, err := dst.Begin(ctx)
	if err != nil {
		return res, fmt.Errorf("target: %w", err)
	}
	defer tx.Rollback(context.Background())
	dcols, err := targetColumns(ctx, tx)
	if err != nil {
		return res, err
	}
	if _, ok := dcols["members"]; !ok {
		return res, errors.New("the target database has no Kliv tables: start kliv once with --db set to it (it applies the PostgreSQL migrations), then run migrate-data")
	}
	if err := checkTargetEmpty(ctx, tx, dcols); err != nil {
		return res, err
	}

	// Every source table with rows needs its table and columns in the
	// target; an empty one without a counterpart is only noted.
	var copyList []*srcTable
	for _, st := range tables {
		dc, ok := dcols[st.name]
		if !ok {
			if st.rowCount > 0 {
				return res, fmt.Errorf("source table %s (%d rows) has no counterpart in the target; is the target's schema older than this kliv?", st.name, st.rowCount)
			}
			res.Skipped = append(res.Skipped, st.name+": empty, not in the target")
			continue
		}
		for _, c := range st.cols {
			col, ok := dc[c]
			if !ok {
				return res, fmt.Errorf("source column %s.%s has no counterpart in the target", st.name, c)
			}
			if col.generated {
				return res, fmt.Errorf("target column %s.%s is generated; the source has values for it", st.name, c)
			}
		}
		copyList = append(copyList, st)
	}
	copyList, err = fkOrder(copyList)
	if err != nil {
		return res, err
	}
	for name := range seededTables {
		if _, ok := dcols[name]; ok {
			if _, err := tx.Exec(ctx, `DELETE FROM `+pgIdent(name)); err != nil {
				return res, fmt.Errorf("target: clear %s: %w", name, err)
			}
		}
	}
	// The search triggers stand aside while a bulk load is marked; the
	// index is rebuilt in one statement afterwards (FinishMigrateTarget).
	// Should that never run, the next start finds the mark and rebuilds.
	if _, ok := dcols["search_bulk_load"]; ok {
		if _, err := tx.Exec(ctx, `INSERT INTO search_bulk_load (started_at) VALUES (now())`); err != nil {
			return res, fmt.Errorf("target: %w", err)
		}
	}
	// The rows come as they are, counters and versions included: the
	// triggers that keep those (event sign-up counts, cache versions) stand
	// aside during the copy, or they would count every copied row again.
	// Foreign keys are internal triggers and stay on. ALTER TABLE is part
	// of the transaction: a failed copy leaves them on.
	for _, st := range copyList {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+pgIdent(st.name)+` DISABLE TRIGGER USER`); err != nil {
			return res, fmt.Errorf("target: %s: %w", st.name, err)
		}
	}
	for _, st := range copyList {
		n, err := copyTable(ctx, sconn, tx, st, dcols[st.name], opt)
		if err != nil {
			return res, err
		}
		res.Tables = append(res.Tables, TableCopied{Name: st.name, Rows: n})
	}
	for _, st := range copyList {
		if _, err := tx.Exec(ctx, `ALTER TABLE `+pgIdent(st.name)+` ENABLE TRIGGER USER`); err != nil {
			return res, fmt.Errorf("target: %s: %w", st.name, err)
		}
	}
	if err := resetIdentities(ctx, tx); err != nil {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("target: commit: %w", err)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// FinishMigrateTarget rebuilds the search index of a target MigrateData
// filled (its triggers stood aside during the copy) and updates the
// planner's statistics of every table, so the first queries on the new
// server take the right indexes.
func FinishMigrateTarget(ctx context.Context, dsn string) error {
	db, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	s := NewStore(db, "")
	if _, err := s.ResumeSearchIndex(ctx); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("target: analyze: %w", err)
	}
	return nil
}

// checkSourceCurrent refuses a source whose schema is older or newer than
// this kliv's: the target's schema matches this kliv's migrations.
func checkSourceCurrent(ctx context.Context, src *sqlx.DB) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	var have []int
	if err := src.SelectContext(ctx, &have, "SELECT version FROM schema_migrations ORDER BY version"); err != nil {
		return fmt.Errorf("source: %w", err)
	}
	if len(have) == 0 {
		return errors.New("the source is not a Kliv database (no migrations applied)")
	}
	known := map[int]bool{}
	for _, m := range ms {
		known[m.Version] = true
	}
	for _, v := range have {
		if !known[v] {
			return fmt.Errorf("the source has schema version %04d, which this kliv does not know: use the kliv that last ran on it", v)
		}
	}
	if len(have) < len(ms) {
		return fmt.Errorf("the source's schema is older than this kliv's (%d of %d migrations): start this kliv once on it (or on a copy), then run migrate-data", len(have), len(ms))
	}
	return nil
}

func sourceTables(ctx context.Context, q *sqlx.Conn, opt MigrateDataOptions) ([]*srcTable, []string, error) {
	var all []struct {
		Name string `db:"name"`
		SQL  string `db:"sql"`
	}
	if err := sqlx.SelectContext(ctx, q, &all, `SELECT name, COALESCE(sql, '') AS sql FROM sqlite_master WHERE type = 'table' ORDER BY name`); err != nil {
		return nil, nil, fmt.Errorf("source: %w", err)
	}
	var virtual []string
	for _, t := range all {
		if strings.HasPrefix(strings.ToUpper(t.SQL), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, t.Name)
		}
	}
	var out []*srcTable
	var skipped []string
next:
	for _, t := range all {
		if strings.HasPrefix(t.Name, "sqlite_") {
			continue
		}
		if why, ok := sqliteOnlyTables[t.Name]; ok {
			skipped = append(skipped, t.Name+": "+why)
			continue
		}
		for _, v := range virtual {
			if t.Name == v || strings.HasPrefix(t.Name, v+"_") {
				if t.Name == v {
					skipped = append(skipped, t.Name+": SQLite's full-text index (rebuilt in PostgreSQL)")
				}
				continue next
			}
		}
		if t.Name == "sessions" && !opt.Sessions {
			skipped = append(skipped, "sessions: left out (members sign in again; --sessions copies them)")
			continue
		}
		st := &srcTable{name: t.Name, decl: map[string]string{}}
		var cols []struct {
			Name string `db:"name"`
			Type string `db:"type"`
			PK   int    `db:"pk"`
		}
		if err := sqlx.SelectContext(ctx, q, &cols, `SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid`, t.Name); err != nil {
			return nil, nil, fmt.Errorf("source: %w", err)
		}
		var pks []string
		for _, c := range cols {
			st.cols = append(st.cols, c.Name)
			st.decl[c.Name] = strings.ToUpper(c.Type)
			if c.PK > 0 {
				pks = append(pks, sqliteIdent(c.Name))
			}
		}
		var refs []string
		if err := sqlx.SelectContext(ctx, q, &refs, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, t.Name); err != nil {
			return nil, nil, fmt.Errorf("source: %w", err)
		}
		for _, r := range refs {
			if r != t.Name {
				st.refs = append(st.refs, r)
			}
		}
		st.order = "rowid"
		if strings.Contains(strings.ToUpper(t.SQL), "WITHOUT ROWID") {
			st.order = strings.Join(pks, ", ")
		}
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+sqliteIdent(t.Name)).Scan(&st.rowCount); err != nil {
			return nil, nil, fmt.Errorf("source: %w", err)
		}
		out = append(out, st)
	}
	return out, skipped, nil
}

func targetColumns(ctx context.Context, tx pgx.Tx) (map[string]map[string]dstColumn, error) {
	rows, err := tx.Query(ctx, `
		SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable = 'YES', c.is_generated = 'ALWAYS'
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]dstColumn{}
	for rows.Next() {
		var table string
		var c dstColumn
		if err := rows.Scan(&table, &c.name, &c.udt, &c.nullable, &c.generated); err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		if out[table] == nil {
			out[table] = map[string]dstColumn{}
		}
		out[table][c.name] = c
	}
	return out, rows.Err()
}

// checkTargetEmpty refuses a target where any table other than the
// migration records and the migrations' own seeded rows holds a row.
func checkTargetEmpty(ctx context.Context, tx pgx.Tx, dcols map[string]map[string]dstColumn) error {
	var names []string
	for name := range dcols {
		if seededTables[name] || strings.HasPrefix(name, "schema_migrations") {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var full []string
	for _, name := range names {
		var any bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgIdent(name)+`)`).Scan(&any); err != nil {
			return fmt.Errorf("target: %w", err)
		}
		if any {
			full = append(full, name)
		}
	}
	if len(full) > 0 {
		if len(full) > 5 {
			full = append(full[:5], "…")
		}
		return fmt.Errorf("%w (rows in %s): migrate-data copies into a freshly created database only", ErrTargetNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

// fkOrder sorts the tables so each comes after the tables it references.
func fkOrder(ts []*srcTable) ([]*srcTable, error) {
	byName := map[string]*srcTable{}
	for _, t := range ts {
		byName[t.name] = t
	}
	done := map[string]bool{}
	visiting := map[string]bool{}
	var out []*srcTable
	var visit func(t *srcTable) error
	visit = func(t *srcTable) error {
		if done[t.name] {
			return nil
		}
		if visiting[t.name] {
			return fmt.Errorf("tables %s reference each other in a cycle; the copy cannot order them", t.name)
		}
		visiting[t.name] = true
		for _, r := range t.refs {
			if rt, ok := byName[r]; ok {
				if err := visit(rt); err != nil {
					return err
				}
			}
		}
		visiting[t.name] = false
		done[t.name] = true
		out = append(out, t)
		return nil
	}
	for _, t := range ts {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func copyTable(ctx context.Context, sconn *sqlx.Conn, tx pgx.Tx, st *srcTable, dc map[string]dstColumn, opt MigrateDataOptions) (int64, error) {
	quoted := make([]string, len(st.cols))
	for i, c := range st.cols {
		quoted[i] = sqliteIdent(c)
	}
	rows, err := sconn.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+sqliteIdent(st.name)+` ORDER BY `+st.order)
	if err != nil {
		return 0, fmt.Errorf("source %s: %w", st.name, err)
	}
	defer rows.Close()
	cs := &copySource{rows: rows, st: st, opt: opt, vals: make([]any, len(st.cols)), ptrs: make([]any, len(st.cols))}
	for i := range cs.vals {
		cs.ptrs[i] = &cs.vals[i]
		cs.conv = append(cs.conv, converterFor(dc[st.cols[i]], st.decl[st.cols[i]]))
	}
	if opt.Progress != nil {
		opt.Progress(st.name, 0, st.rowCount)
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{st.name}, st.cols, cs)
	if err != nil {
		if cs.err != nil {
			err = cs.err
		}
		return n, fmt.Errorf("copy %s: %w", st.name, err)
	}
	if opt.Progress != nil {
		opt.Progress(st.name, n, st.rowCount)
	}
	return n, nil
}

// copySource streams source rows into CopyFrom, converting each value
// for its target column.
type copySource struct {
	rows *sql.Rows
	st   *srcTable
	opt  MigrateDataOptions
	vals []any
	ptrs []any
	conv []func(any) (any, error)
	out  []any
	n    int64
	err  error
}

func (c *copySource) Next() bool {
	if c.err != nil || !c.rows.Next() {
		return false
	}
	if err := c.rows.Scan(c.ptrs...); err != nil {
		c.err = err
		return false
	}
	c.n++
	if c.opt.Progress != nil && c.n%c.opt.ProgressEvery == 0 {
		c.opt.Progress(c.st.name, c.n, c.st.rowCount)
	}
	return true
}

func (c *copySource) Values() ([]any, error) {
	c.out = c.out[:0]
	for i, v := range c.vals {
		x, err := c.conv[i](v)
		if err != nil {
			c.err = fmt.Errorf("row %d, column %s: %w", c.n, c.st.cols[i], err)
			return nil, c.err
		}
		c.out = append(c.out, x)
	}
	return c.out, nil
}

func (c *copySource) Err() error {
	if c.err != nil {
		return c.err
	}
	return c.rows.Err()
}

// converterFor maps a SQLite value to what the target column takes.
func converterFor(col dstColumn, decl string) func(any) (any, error) {
	switch col.udt {
	case "bool":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil:
				return nil, nil
			case int64:
				if x != 0 && x != 1 {
					return nil, fmt.Errorf("%d is not a boolean (0 or 1)", x)
				}
				return x == 1, nil
			case bool:
				return x, nil
			case string:
				return strconv.ParseBool(x)
			case []byte:
				return strconv.ParseBool(string(x))
			}
			return nil, fmt.Errorf("%T is not a boolean", v)
		}
	case "timestamptz", "timestamp", "date":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil:
				return nil, nil
			case time.Time:
				return x.UTC(), nil
			case string:
				return parseStoredTime(x)
			case []byte:
				return parseStoredTime(string(x))
			case int64:
				return time.Unix(x, 0).UTC(), nil
			}
			return nil, fmt.Errorf("%T is not a time", v)
		}
	case "int2", "int4", "int8":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, int64:
				return x, nil
			case float64:
				if x != math.Trunc(x) {
					return nil, fmt.Errorf("%v is not a whole number", x)
				}
				return int64(x), nil
			case bool:
				if x {
					return int64(1), nil
				}
				return int64(0), nil
			case string:
				return strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			case []byte:
				return strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64)
			}
			return nil, fmt.Errorf("%T is not a whole number", v)
		}
	case "float4", "float8", "numeric":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, float64:
				return x, nil
			case int64:
				return float64(x), nil
			case string:
				return strconv.ParseFloat(strings.TrimSpace(x), 64)
			}
			return nil, fmt.Errorf("%T is not a number", v)
		}
	case "bytea":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil, []byte:
				return x, nil
			case string:
				return []byte(x), nil
			}
			return nil, fmt.Errorf("%T is not bytes", v)
		}
	case "json", "jsonb":
		return func(v any) (any, error) {
			switch x := v.(type) {
			case nil:
				return nil, nil
			case string:
				if x == "" {
					return nil, errors.New("empty text is not JSON")
				}
				return x, nil
			case []byte:
				return string(x), nil
			}
			return nil, fmt.Errorf("%T is not JSON text", v)
		}
	}
	// Text and anything else: as text, with SQLite's own forms kept.
	return func(v any) (any, error) {
		switch x := v.(type) {
		case nil:
			return nil, nil
		case string:
			if strings.IndexByte(x, 0) >= 0 {
				return nil, errors.New("text holds a NUL byte, which PostgreSQL cannot store")
			}
			return x, nil
		case []byte:
			return string(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		case time.Time:
			return FormatTime(x), nil
		}
		return v, nil
	}
}

// parseStoredTime reads a time as SQLite holds it: RFC 3339 (FormatTime),
// or SQLite's own "YYYY-MM-DD HH:MM:SS[+00:00]" from strftime defaults.
func parseStoredTime(s string) (any, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return nil, fmt.Errorf("%q is not a time", s)
}

// resetIdentities moves every identity or serial sequence past the
// copied ids, so the next row gets a fresh one.
func resetIdentities(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `
		SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`)
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	var cols [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, [2]string{t, c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, tc := range cols {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(%s), 0) + 1, false) FROM %s`, pgIdent(tc[1]), pgIdent(tc[0]))
		if _, err := tx.Exec(ctx, q, pgIdent(tc[0]), tc[1]); err != nil {
			return fmt.Errorf("target: reset the id sequence of %s.%s: %w", tc[0], tc[1], err)
		}
	}
	return nil
}

func sqliteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
func pgIdent(s string) string     { return pgx.Identifier{s}.Sanitize() }
