package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // the plain driver: the reference has no write queue
)

// The minimal reference is the yardstick of the performance issue: a
// Gin + sqlx + go-sqlite3 + html/template server that serves a topic page
// of 30 posts from Kliv's own database, as the simplest such app would —
// one query for the topic, one for its 30 posts with their authors'
// names, one html/template, no cache, no session, nothing written. `kliv
// loadtest --reference` starts it as a child (`kliv reference-serve`) and
// runs the same topic-page pattern against it as against Kliv, so the
// two are measured in the same run on the same machine.

// refPageSize is the reference's posts a page, Kliv's too.
const refPageSize = 30

// refTopic and refPost are what the reference's page shows.
type refTopic struct {
	ID        int64  `db:"id"`
	Title     string `db:"title"`
	PostCount int    `db:"post_count"`
}

type refPost struct {
	ID        int64     `db:"id"`
	Seq       int       `db:"seq"`
	Author    string    `db:"author"`
	BodyHTML  string    `db:"body_html"`
	CreatedAt time.Time `db:"created_at"`
}

// refPage is the template's data.
type refPage struct {
	Topic refTopic
	Posts []refPost
	Page  int
	Pages int
}

// HTML returns the post's stored, sanitized HTML (the same as Kliv shows).
func (p refPost) HTML() template.HTML { return template.HTML(p.BodyHTML) }

var refTemplate = template.Must(template.New("topic").Parse(`<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Topic.Title}}</title></head>
<body><main><h1>{{.Topic.Title}}</h1>
<p>Sida {{.Page}} av {{.Pages}} · {{.Topic.PostCount}} inlägg</p>
{{range .Posts}}<article id="p{{.ID}}"><header><strong>{{.Author}}</strong>
<time datetime="{{.CreatedAt.Format "2006-01-02T15:04:05Z07:00"}}">{{.CreatedAt.Format "2 Jan 2006 15:04"}}</time>
<a href="#p{{.ID}}">#{{.Seq}}</a></header>
<div class="body">{{.HTML}}</div></article>
{{end}}</main></body></html>
`))

// openReferenceDB opens the database read-only through the plain driver
// with its default settings, as a minimal app would.
func openReferenceDB(ctx context.Context, path string) (*sqlx.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro&_busy_timeout=5000&_loc=UTC"
	db, err := sqlx.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// referenceHandler is the reference server: GET /t/:id?page=N and
// GET /healthz.
func referenceHandler(db *sqlx.DB) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/t/:id", func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			c.String(http.StatusNotFound, "not found")
			return
		}
		page, _ := strconv.Atoi(c.Query("page"))
		page = max(page, 1)
		var p refPage
		err = db.GetContext(c.Request.Context(), &p.Topic, `SELECT id, title, post_count FROM topics WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			c.String(http.StatusNotFound, "not found")
			return
		}
		if err != nil {
			c.String(http.StatusInternalServerError, "internal error")
			return
		}
		if err := db.SelectContext(c.Request.Context(), &p.Posts, `SELECT p.id, p.seq, COALESCE(m.display_name, '') AS author, p.body_html, p.created_at
			FROM posts p LEFT JOIN members m ON m.id = p.author_id
			WHERE p.topic_id = ? AND p.deleted_at IS NULL ORDER BY p.seq LIMIT ? OFFSET ?`,
			id, refPageSize, (page-1)*refPageSize); err != nil {
			c.String(http.StatusInternalServerError, "internal error")
			return
		}
		p.Page, p.Pages = page, max((p.Topic.PostCount+refPageSize-1)/refPageSize, 1)
		var buf bytes.Buffer
		if err := refTemplate.Execute(&buf, p); err != nil {
			c.String(http.StatusInternalServerError, "internal error")
			return
		}
		c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	})
	return r
}

// cmdReferenceServe is `kliv reference-serve --db PATH --addr A`: the
// minimal reference on its own. It prints "listening on ADDR" on
// standard output once it accepts connections (with --addr
// 127.0.0.1:0 the port is the system's choice) and stops on SIGTERM.
func cmdReferenceServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("reference-serve", stderr)
	dbPath := fs.String("db", "", "the database to read (default KLIV_DB or kliv.db)")
	addr := fs.String("addr", "127.0.0.1:8090", "where to listen")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("reference-serve: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("reference-serve: unexpected argument %q", fs.Arg(0))
	}
	db, err := openReferenceDB(ctx, firstNonEmpty(*dbPath, getenv("KLIV_DB"), "kliv.db"))
	if err != nil {
		return fmt.Errorf("reference-serve: %w", err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("reference-serve: listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: referenceHandler(db), ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(slog.New(slog.NewTextHandler(stderr, nil)).Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on %s\n", ln.Addr())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// referenceRun is `kliv loadtest --reference`: the same topic-page
// pattern against Kliv and against the reference, one after the other.
type referenceRun struct {
	Kliv       *loadReport         `json:"kliv"`
	Reference  *loadReport         `json:"reference"`
	Comparison referenceComparison `json:"comparison"`
}

// referenceComparison puts Kliv's topic pages beside the reference's.
type referenceComparison struct {
	KlivPagesPerSecond float64 `json:"kliv_pages_per_second"`
	RefPagesPerSecond  float64 `json:"reference_pages_per_second"`
	// Ratio is Kliv's pages a second over the reference's (the issue's
	// target: 2.5 or more).
	Ratio     float64 `json:"ratio"`
	KlivCPUms float64 `json:"kliv_cpu_ms_per_page,omitempty"`
	RefCPUms  float64 `json:"reference_cpu_ms_per_page,omitempty"`
	// CPURatio is Kliv's CPU a page over the reference's; 0 when either
	// server's CPU could not be read.
	CPURatio float64 `json:"cpu_ratio,omitempty"`
	KlivP99  float64 `json:"kliv_p99_ms"`
	RefP99   float64 `json:"reference_p99_ms"`
}

// compareReference computes the comparison of two runs of the topic
// pattern. Only answered pages count: a page that failed is no page.
func compareReference(kliv, ref *loadReport) referenceComparison {
	pagesPerSecond := func(r *loadReport) float64 {
		s := r.Routes["topic"]
		if s == nil || r.Duration <= 0 {
			return 0
		}
		return float64(s.Requests-s.Errors) / r.Duration
	}
	p99 := func(r *loadReport) float64 {
		if s := r.Routes["topic"]; s != nil {
			return s.P99
		}
		return 0
	}
	c := referenceComparison{KlivPagesPerSecond: pagesPerSecond(kliv), RefPagesPerSecond: pagesPerSecond(ref),
		KlivCPUms: kliv.ServerCPUms, RefCPUms: ref.ServerCPUms, KlivP99: p99(kliv), RefP99: p99(ref)}
	if c.RefPagesPerSecond > 0 {
		c.Ratio = c.KlivPagesPerSecond / c.RefPagesPerSecond
	}
	if c.KlivCPUms > 0 && c.RefCPUms > 0 {
		c.CPURatio = c.KlivCPUms / c.RefCPUms
	}
	return c
}

// runReference runs the topic pattern against Kliv (signed in, as the
// load tool's members always are), then starts the reference as a child
// process on a free loopback port (unless refURL names one already
// running) and runs the same pattern, with the same random seed, against
// it without signing in.
func runReference(ctx context.Context, cfg loadConfig, refURL string) (*referenceRun, error) {
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	logf("loadtest: Kliv at %s", cfg.BaseURL)
	kliv, err := runLoad(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("kliv: %w", err)
	}
	rcfg := cfg
	rcfg.Anonymous = true
	rcfg.PID = 0
	if refURL == "" {
		child, err := startReference(ctx, cfg.DB)
		if err != nil {
			return nil, err
		}
		defer child.stop()
		refURL, rcfg.PID = child.url, child.pid
	}
	rcfg.BaseURL = refURL
	logf("loadtest: the minimal reference at %s", refURL)
	ref, err := runLoad(ctx, rcfg)
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	return &referenceRun{Kliv: kliv, Reference: ref, Comparison: compareReference(kliv, ref)}, nil
}

// referenceChild is a `kliv reference-serve` started by the load tool.
type referenceChild struct {
	cmd  *exec.Cmd
	url  string
	pid  int
	done chan struct{}
}

// startReference starts this binary as `kliv reference-serve` on a free
// loopback port and waits for its "listening on" line.
func startReference(ctx context.Context, db string) (*referenceChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start the reference: %w", err)
	}
	cmd := exec.Command(exe, "reference-serve", "--db", db, "--addr", "127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start the reference: %w", err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the reference: %w", err)
	}
	c := &referenceChild{cmd: cmd, pid: cmd.Process.Pid, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				addr <- a
			}
		}
		_ = cmd.Wait()
		close(c.done)
	}()
	select {
	case a := <-addr:
		c.url = "http://" + a
		return c, nil
	case <-c.done:
		return nil, fmt.Errorf("the reference did not start: %s", strings.TrimSpace(stderr.String()))
	case <-time.After(30 * time.Second):
	case <-ctx.Done():
	}
	c.stop()
	return nil, errors.New("the reference did not start within 30 s")
}

// stop ends the child and waits for it.
func (c *referenceChild) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

func printReferenceRun(w io.Writer, r *referenceRun) {
	fmt.Fprintln(w, "== Kliv (signed in)")
	printLoadReport(w, r.Kliv)
	fmt.Fprintln(w, "== the minimal reference (Gin + sqlx + go-sqlite3 + html/template, no cache, not signed in)")
	printLoadReport(w, r.Reference)
	c := r.Comparison
	fmt.Fprintln(w, "== topic pages, Kliv against the reference")
	fmt.Fprintf(w, "pages/s: Kliv %.0f, reference %.0f, ratio %.2f×\n", c.KlivPagesPerSecond, c.RefPagesPerSecond, c.Ratio)
	if c.CPURatio > 0 {
		fmt.Fprintf(w, "CPU a page: Kliv %.3f ms, reference %.3f ms, ratio %.2f×\n", c.KlivCPUms, c.RefCPUms, c.CPURatio)
	}
	fmt.Fprintf(w, "p99: Kliv %.2f ms, reference %.2f ms\n", c.KlivP99, c.RefP99)
}
