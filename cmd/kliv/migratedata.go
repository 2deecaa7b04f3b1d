package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"kliv/forum"
)

// cmdMigrateData copies a whole SQLite forum into an empty PostgreSQL
// database (kliv migrate-data --from kliv.db --to postgres://…).
func cmdMigrateData(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate-data", stderr)
	from := fs.String("from", "", "the SQLite database file to copy")
	to := fs.String("to", "", "the PostgreSQL database to copy into (postgres://…)")
	sessions := fs.Bool("sessions", false, "copy the signed-in sessions too")
	quiet := fs.Bool("quiet", false, "no progress lines")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("migrate-data: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("migrate-data: unexpected argument %q", fs.Arg(0))
	}
	if *from == "" || *to == "" {
		return errors.New("usage: kliv migrate-data --from kliv.db --to postgres://user@host/db [--sessions]")
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return fmt.Errorf("migrate-data: --to must be a postgres:// URL, not %q", *to)
	}
	if st, err := os.Stat(*from); err != nil || st.IsDir() {
		return fmt.Errorf("migrate-data: no SQLite database at %s", *from)
	}
	src, err := forum.Open(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := forum.OpenMigrateTarget(ctx, *to)
	if err != nil {
		return fmt.Errorf("migrate-data: %w", err)
	}
	defer dst.Close(context.Background())

	var mu sync.Mutex
	last := time.Time{}
	lastTable := ""
	progress := func(table string, done, total int64) {
		if *quiet {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		end := done == total && done > 0
		if table == lastTable && !end && time.Since(last) < time.Second {
			return
		}
		last, lastTable = time.Now(), table
		pct := 100.0
		if total > 0 {
			pct = 100 * float64(done) / float64(total)
		}
		fmt.Fprintf(stderr, "%-24s %10d / %-10d %5.1f%%\n", table, done, total, pct)
	}
	res, err := forum.MigrateData(ctx, src, dst, forum.MigrateDataOptions{Sessions: *sessions, Progress: progress})
	if err != nil {
		return fmt.Errorf("migrate-data: %w (nothing was written to the target)", err)
	}
	if !*quiet {
		fmt.Fprintln(stderr, "rebuilding the search index and the planner's statistics…")
	}
	t0 := time.Now()
	if err := forum.FinishMigrateTarget(ctx, *to); err != nil {
		return fmt.Errorf("migrate-data: the rows are copied, but: %w (starting kliv on the target rebuilds the search index)", err)
	}
	finish := time.Since(t0)
	var rows int64
	for _, t := range res.Tables {
		rows += t.Rows
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(stdout, "left out %s\n", s)
	}
	fmt.Fprintf(stdout, "copied %d rows in %d tables from %s in %s; search index and statistics in %s\n",
		rows, len(res.Tables), *from, res.Elapsed.Round(time.Millisecond), finish.Round(time.Millisecond))
	return nil
}
