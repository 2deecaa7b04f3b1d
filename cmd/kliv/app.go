package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
	"kliv/forum/avatar"
	"kliv/forum/mail"
	"kliv/i18n"
	"kliv/moderation"
)

// app is one running Kliv: its configuration, database, stores and
// views. Handlers are its methods.
type app struct {
	cfg   Config
	log   *slog.Logger
	db    *sqlx.DB
	store *forum.Store
	mod   *moderation.Service
	i18n  *i18n.Bundle
	views *renderer
	mail  *mail.Worker

	loginIP      *limiter
	loginAccount *limiter
	joinIP       *limiter
	resetIP      *limiter
	reportMember *limiter
	reportIP     *limiter
	// limits are the rate limits on writing (limits.go).
	limits limits
	// site is the admins' settings of the site (pages_admin_settings.go).
	site atomic.Pointer[forum.SiteSettings]
	// seen throttles the notes of members' use of the site (pages_admin_members.go).
	seen seenCache
	// bodyLimits are the routes with a larger body limit than maxBody
	// (allowLargeBody), by full route path; set while routes are built.
	bodyLimits map[string]int64

	// Private messages, per sender and per address.
	messageMember, messageIP *limiter
}

// openApp opens and migrates the database and builds everything a
// server or a command needs.
func openApp(ctx context.Context, cfg Config, logger *slog.Logger) (*app, error) {
	bundle, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	views, err := newRenderer()
	if err != nil {
		return nil, err
	}
	db, err := forum.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := forum.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	store := forum.NewStore(db, cfg.BaseURL)
	store.I18n = bundle
	sender, err := mail.NewSender(cfg.SMTP, logger)
	if err != nil {
		db.Close()
		return nil, err
	}
	off := !cfg.RateLimits
	mod := moderation.New(store, bundle)
	mod.SetPolicy(cfg.Screening.Policy())
	a := &app{
		cfg: cfg, log: logger, db: db, store: store, i18n: bundle, views: views,
		mod:          mod,
		mail:         &mail.Worker{DB: db, Sender: sender, Logger: logger, Now: time.Now},
		loginIP:      newLimiter(20, 20, off),
		loginAccount: newLimiter(5, 10, off),
		joinIP:       newLimiter(2, 10, off),
		resetIP:      newLimiter(2, 5, off),
		reportMember: newLimiter(2, 10, off),
		reportIP:     newLimiter(6, 30, off),
		limits:       newLimits(off),
	}
	if err := a.loadSiteSettings(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.messageMember, a.messageIP = newLimiter(6, 10, off), newLimiter(20, 30, off)
	a.shareLimits()
	// Set once here, not while routes are built: a test builds the
	// router once per client, concurrently.
	for p := range avatarUploadPaths {
		a.allowLargeBody(p, avatar.MaxBytes+maxBody)
	}
	return a, nil
}

// close writes the pending read marks, then closes the database. The
// server calls it once requests are drained and the workers stopped.
func (a *app) close() error {
	if _, err := a.store.FlushReads(context.Background()); err != nil {
		a.log.Error("flush read marks", "err", err)
	}
	return a.db.Close()
}

// defaultMemoryLimit is the Go heap's soft limit; SQLite's page caches
// (2 MB a connection), its statements, the C allocator's arenas and the
// binary come on top of it, about 60 MB at 64 connections. The parsed
// templates and caches hold about 65 MB live (the card cache 16 MB); at
// 110 MB, with 80 MB live, the collector ran without pause and doubled the
// CPU a page costs; 140 MB leaves it room and keeps the whole server
// under 200 MB (docs/performance.md, "Memory").
const defaultMemoryLimit = 140 << 20

// cmdServe runs the web server until ctx ends, then drains requests.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	started := time.Now() // for the start-up time in the "listening" line
	fs := newFlagSet("serve", stderr)
	resolve := configFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	// Listen first: a port in use is reported before anything is written.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	defer ln.Close()
	// One server per database: a second one, or a restore, is refused.
	unlock, err := forum.LockDB(cfg.DB)
	if err != nil {
		return err
	}
	defer unlock()
	a, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.close(); err != nil {
			logger.Error("close database", "err", err)
			return
		}
		logger.Info("database closed")
	}()
	if err := forum.CheckWritable(ctx, a.db, cfg.DB, forum.FormatTime(time.Now())); err != nil {
		return err
	}
	if rebuilt, err := a.store.ResumeSearchIndex(ctx); err != nil {
		return err
	} else if rebuilt {
		logger.Warn("a bulk load had not finished: the search index was rebuilt")
	}
	if err := a.announceSetup(ctx, stdout); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		a.background(workCtx)
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The Go heap's share of the server's memory: the collector works
	// harder before the heap passes it, so a burst of big pages does not
	// double the resident set. GOMEMLIMIT, when set, says otherwise.
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if err := servePprof(workCtx, getenv("KLIV_PPROF"), logger); err != nil {
		return err
	}
	logger.Info("kliv listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "db", cfg.DB,
		"startup_ms", time.Since(started).Milliseconds())
	select {
	case err := <-errc:
		stopWork()
		<-workDone
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopWork()
	<-workDone
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped: requests drained, workers done")
	return nil
}
