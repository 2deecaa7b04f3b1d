package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"kliv/forum/seed"
)

// cmdSeed fills the database with demo data (see forum/seed): by default
// 200 members, 1 000 topics and 10 000 posts, in seconds. It refuses a
// database that has topics already unless --force, which adds the demo
// data to it (new accounts get free usernames; staff accounts become
// admin2, moderator2 when those are taken). Progress goes to standard
// error, the summary and the demo sign-ins to standard output. Every seeded
// account has the password seed.DemoPassword.
func cmdSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", stderr)
	resolve := configFlags(fs, getenv)
	members := fs.Int("members", 200, "approved members, the admin and the moderator included (applicants come on top)")
	topics := fs.Int("topics", 1000, "topics")
	posts := fs.Int("posts", 10000, "posts, every topic's first post included")
	seedN := fs.Uint64("seed", 1, "random seed: the same seed gives the same forum")
	force := fs.Bool("force", false, "add to a database that has topics already")
	check := fs.Bool("check", false, "afterwards, compare every counter with the rows (takes a while on a large forum)")
	quiet := fs.Bool("quiet", false, "no progress lines on standard error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "Usage: kliv seed [--members N] [--topics N] [--posts N] [--seed N] [--force] [--check] [--quiet] [--db PATH]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("seed: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("seed: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	opts := seed.Options{Members: *members, Topics: *topics, Posts: *posts, Seed: *seedN, Force: *force}
	// Bad sizes are refused before a database file is created.
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	if !*quiet {
		opts.Progress = func(p seed.Progress) { printProgress(stderr, p) }
	}
	// The seed makes much short-lived garbage (rendering a million posts):
	// collecting less often saves a fifth of its time for some more memory.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	a, err := openCommandApp(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.close()
	sum, err := seed.Run(ctx, a.store, opts)
	if err != nil {
		if errors.Is(err, seed.ErrNotEmpty) {
			return fmt.Errorf("seed: %s: %w", cfg.DB, err)
		}
		return fmt.Errorf("seed: %w", err)
	}
	if *check {
		problems, err := a.store.CheckCounters(ctx)
		if err != nil {
			return fmt.Errorf("seed: check: %w", err)
		}
		if len(problems) > 0 {
			return fmt.Errorf("seed: check: %s", problems[0])
		}
	}
	fmt.Fprintf(stdout, "seeded %s in %s: %d members (and %d pending, %d rejected applicants), %d topics in %d categories, %d posts, %d thanks, %d accepted answers, %d events\n",
		cfg.DB, sum.Elapsed.Round(100*time.Millisecond), sum.Members, sum.Pending, sum.Rejected, sum.Topics, sum.Categories,
		sum.Posts, sum.Thanks, sum.Answers, sum.Events)
	fmt.Fprintf(stdout, "admin: %s / %s\n", sum.Admin, sum.Password)
	fmt.Fprintf(stdout, "moderator: %s / %s\n", sum.Moderator, sum.Password)
	if sum.Example != "" {
		fmt.Fprintf(stdout, "member: %s / %s (every seeded account has this password)\n", sum.Example, sum.Password)
	}
	return nil
}

// printProgress writes one progress line: every ~5 % of the posts, and
// the end of each other phase.
func printProgress(w io.Writer, p seed.Progress) {
	el := p.Elapsed.Round(100 * time.Millisecond)
	switch {
	case p.Phase == "finish" && p.Done == 0:
		fmt.Fprintf(w, "seed: finishing (indexes) at %s\n", el)
	case p.Phase == "finish":
		fmt.Fprintf(w, "seed: finished at %s\n", el)
	case p.Phase == "posts" && p.Done > 0 || p.Done == p.Total && p.Total > 0:
		pct := 100 * p.Done / max(p.Total, 1)
		fmt.Fprintf(w, "seed: %s %d/%d (%d%%), %.0f/s, %s\n", p.Phase, p.Done, p.Total, pct, p.Rate, el)
	}
}
