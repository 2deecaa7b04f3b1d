package forum

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jmoiron/sqlx"
)

//go:embed migrations_pg/*.sql
var pgMigrationFS embed.FS

// PGMaxConns is the PostgreSQL pool size of one process.
var PGMaxConns = 16

// openPG opens the PostgreSQL database at dsn (a postgres:// URL) and
// checks it can be reached, with a one-line error naming what is wrong:
// a malformed address, a server that refuses, a database that does not
// exist, a login that is refused.
func openPG(ctx context.Context, dsn string) (*sqlx.DB, error) {
	shown := RedactURL(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database address %s is not a valid PostgreSQL URL (postgres://user@host:port/dbname?sslmode=disable)", shown)
	}
	if cfg.Database == "" {
		return nil, fmt.Errorf("database address %s names no database (postgres://user@host:port/dbname)", shown)
	}
	db, err := sqlx.Open(pgDriverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", shown, err)
	}
	db.SetMaxOpenConns(PGMaxConns)
	db.SetMaxIdleConns(PGMaxConns / 2)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, pgOpenError(shown, cfg, err)
	}
	return db, nil
}

// pgOpenError explains why a PostgreSQL server could not be opened.
func pgOpenError(shown string, cfg *pgx.ConnConfig, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "3D000":
			return fmt.Errorf("database %q does not exist on %s:%d: create it (createdb %s) or fix the address %s", cfg.Database, cfg.Host, cfg.Port, cfg.Database, shown)
		case pe.Code == "28P01" || pe.Code == "28000":
			return fmt.Errorf("PostgreSQL at %s:%d refused the login of %q: %s", cfg.Host, cfg.Port, cfg.User, pe.Message)
		case pe.Code == "57P03" || pe.Code == "53300":
			return fmt.Errorf("PostgreSQL at %s:%d does not take connections now: %s", cfg.Host, cfg.Port, pe.Message)
		}
		return fmt.Errorf("open database %s: %s (SQLSTATE %s)", shown, pe.Message, pe.Code)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) || strings.Contains(err.Error(), "connect") {
		return fmt.Errorf("cannot reach PostgreSQL at %s:%d (is the server running?): %v", cfg.Host, cfg.Port, rootCause(err))
	}
	return fmt.Errorf("open database %s: %w", shown, err)
}

func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// RedactURL hides the password of a database address, for messages.
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		if i := strings.LastIndexByte(dsn, '@'); i >= 0 {
			if j := strings.Index(dsn, "://"); j >= 0 && j < i {
				return dsn[:j+3] + "…" + dsn[i:]
			}
		}
		return dsn
	}
	if u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// PGMigrations lists the embedded PostgreSQL migrations in order: a
// history of their own, beside SQLite's.
func PGMigrations() ([]Migration, error) { return readMigrations(pgMigrationFS, "migrations_pg") }

func readMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, name, v)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// pgMigrateLock is the advisory lock key the migrations run under
// ("kliv" in ASCII), so two processes starting at once migrate once.
const pgMigrateLock = 0x6b6c6976

// migratePG applies the PostgreSQL migrations up to version (all when
// version < 0) in one transaction under a transaction-scoped advisory
// lock: a second process starting at the same time waits, then finds
// them applied.
func migratePG(ctx context.Context, db *sqlx.DB, ms []Migration, version int) error {
	// READ COMMITTED, not InTx's SERIALIZABLE: the statements after the
	// lock must see what the process that held it before committed.
	return inTx(ctx, db, nil, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", pgMigrateLock); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)"); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if err := checkSchemaKnown(ctx, tx, ms); err != nil {
			return err
		}
		var applied []int
		if err := tx.SelectContext(ctx, &applied, "SELECT version FROM schema_migrations"); err != nil {
			return err
		}
		done := map[int]bool{}
		for _, v := range applied {
			done[v] = true
		}
		for _, m := range ms {
			if version >= 0 && m.Version > version {
				break
			}
			if done[m.Version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC()); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// SchemaKey names the schema the embedded PostgreSQL migrations build (a
// hash of them): the test harness keeps one template database per key.
func SchemaKey() string {
	ms, err := PGMigrations()
	if err != nil {
		return "broken"
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s\n%s\n", m.Version, m.Name, m.SQL)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// MigrateURL opens the database at dsn, migrates it and closes it.
func MigrateURL(ctx context.Context, dsn string) error {
	db, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return Migrate(ctx, db)
}
