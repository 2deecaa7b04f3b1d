package forum

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// Queries are written once, with SQLite's ? placeholders. On PostgreSQL
// they go through pgDriverName, pgx's database/sql driver wrapped so that
// every query has its ? rewritten to $1..$n first (outside string
// literals, quoted names and comments). sqlx is told the driver binds ?,
// so sqlx.In, Named and Rebind keep producing ? too.

// pgDriverName is pgx's driver with the placeholder rewrite.
const pgDriverName = "pgx-kliv"

func init() {
	sql.Register(pgDriverName, &pgDriver{inner: stdlib.GetDefaultDriver()})
	sqlx.BindDriver(pgDriverName, sqlx.QUESTION)
}

// Dialect names the SQL engine behind a handle, for the few statements
// that differ between SQLite and PostgreSQL.
type Dialect int

const (
	// SQLite is the default engine: one file, WAL, one writer at a time.
	SQLite Dialect = iota
	// Postgres is PostgreSQL through pgx.
	Postgres
)

// String names the dialect.
func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// driverNamer is what sqlx.DB, sqlx.Tx and sqlx.Conn share.
type driverNamer interface{ DriverName() string }

// DialectOf tells the engine behind db (a *sqlx.DB, *sqlx.Tx or
// *sqlx.Conn); anything else is taken for SQLite.
func DialectOf(db any) Dialect {
	if d, ok := db.(driverNamer); ok && d.DriverName() == pgDriverName {
		return Postgres
	}
	return SQLite
}

// IsPG reports whether db is PostgreSQL.
func IsPG(db any) bool { return DialectOf(db) == Postgres }

// PG reports whether the store runs on PostgreSQL.
func (s *Store) PG() bool { return IsPG(s.DB) }

// Dialect is the store's engine.
func (s *Store) Dialect() Dialect { return DialectOf(s.DB) }

// IsPostgresURL reports whether a database address names PostgreSQL.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Greatest is SQL for the larger of two expressions: SQLite's scalar MAX
// is PostgreSQL's GREATEST.
func (d Dialect) Greatest(a, b string) string {
	if d == Postgres {
		return "GREATEST(" + a + ", " + b + ")"
	}
	return "MAX(" + a + ", " + b + ")"
}

// Least is SQL for the smaller of two expressions.
func (d Dialect) Least(a, b string) string {
	if d == Postgres {
		return "LEAST(" + a + ", " + b + ")"
	}
	return "MIN(" + a + ", " + b + ")"
}

// ILike is the case-insensitive LIKE operator (SQLite's LIKE already is,
// for ASCII).
func (d Dialect) ILike() string {
	if d == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// rebindPG rewrites ? placeholders to $1..$n, leaving alone those inside
// '...' literals (with ” escapes), "..." names, -- line comments and
// /* */ comments. A query without ? is returned as is.
func rebindPG(q string) string {
	if strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(q) {
				j = len(q) - 1
			}
			b.WriteString(q[i : j+1])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i - 1
			}
			b.WriteString(q[i : i+j+1])
			i += j
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q) - 1
			if j >= 0 {
				end = i + 2 + j + 1
			}
			b.WriteString(q[i : end+1])
			i = end
		case c == '?' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			// ?NNN, SQLite's numbered parameter, is PostgreSQL's $NNN.
			b.WriteByte('$')
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

type pgDriver struct{ inner driver.Driver }

func (d *pgDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.inner.Open(dsn)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: c.(*stdlib.Conn)}, nil
}

// pgConn is pgx's connection with every query rebound. Embedding keeps
// its other interfaces (transactions, ping, session reset, value checks).
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(q string) (driver.Stmt, error) {
	st, err := c.Conn.Prepare(rebindPG(q))
	return st, c.lost(err)
}

func (c *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	st, err := c.Conn.PrepareContext(ctx, rebindPG(q))
	return st, c.lost(err)
}

func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.Conn.ExecContext(ctx, rebindPG(q), args)
	return res, c.lost(err)
}

func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.Conn.QueryContext(ctx, rebindPG(q), args)
	return rows, c.lost(err)
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	return tx, c.lost(err)
}

// errConnLost marks an error after which the connection to PostgreSQL
// is closed: the server went away or the network between was cut.
type errConnLost struct{ err error }

func (e *errConnLost) Error() string { return "connection to PostgreSQL lost: " + e.err.Error() }
func (e *errConnLost) Unwrap() error { return e.err }

// lost marks err when it closed the connection, so the web layer
// answers 503 rather than 500.
func (c *pgConn) lost(err error) error {
	if err == nil || ctxErr(err) {
		return err
	}
	if c.Conn.Conn().IsClosed() {
		return &errConnLost{err: err}
	}
	return err
}

func ctxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// JSONInt is SQL for the integer at key of a JSON object column.
func (d Dialect) JSONInt(col, key string) string {
	if d == Postgres {
		return "CAST(" + col + " ->> '" + key + "' AS bigint)"
	}
	return "json_extract(" + col + ", '$." + key + "')"
}

// NoCase is SQL for expr compared and ordered without regard to case.
func (d Dialect) NoCase(expr string) string {
	if d == Postgres {
		return "lower(" + expr + ")"
	}
	return expr + " COLLATE NOCASE"
}

// Contains is SQL for "hay contains needle" (a substring, as is).
func (d Dialect) Contains(hay, needle string) string {
	if d == Postgres {
		return "strpos(" + hay + ", " + needle + ") > 0"
	}
	return "instr(" + hay + ", " + needle + ") > 0"
}
