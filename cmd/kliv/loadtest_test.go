package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseMix(t *testing.T) {
	def, err := parseMix("")
	if err != nil || def["topic"] != 50 || def["edit"] != 2 || len(def) != len(loadRoutes) {
		t.Fatalf("default mix %v %v", def, err)
	}
	m, err := parseMix("topic=3, reply=1")
	if err != nil || m["topic"] != 3 || m["reply"] != 1 || m["home"] != 0 {
		t.Fatalf("mix %v %v", m, err)
	}
	for _, bad := range []string{"topic", "topic=x", "topic=-1", "nosuch=1", "topic=0,home=0"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("mix %q accepted", bad)
		}
	}
	// The picker keeps to the weights.
	p := newPicker(m)
	r := rand.New(rand.NewPCG(1, 2))
	got := map[string]int{}
	for range 40000 {
		got[p.pick(r)]++
	}
	if len(got) != 2 || got["topic"] < 28000 || got["topic"] > 32000 {
		t.Errorf("picked %v, want about 30000 topic and 10000 reply", got)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	for _, c := range []struct {
		in   []time.Duration
		p    float64
		want float64
	}{
		{nil, 50, 0},
		{ms(7), 99, 7},
		{ms(1, 2, 3, 4), 50, 2},
		{ms(1, 2, 3, 4), 75, 3},
		{ms(1, 2, 3, 4), 100, 4},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 99, 10},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0, 1},
	} {
		if got := percentile(c.in, c.p); got != c.want {
			t.Errorf("percentile(%v, %v) = %v, want %v", c.in, c.p, got, c.want)
		}
	}
}

// A short run against a small seeded forum: every route of the mix is
// asked, nothing fails, and the server's CPU and memory are read (the
// server is this process).
func TestLoadtestRuns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seeded.db")
	noEnv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"seed", "--members", "20", "--topics", "20", "--posts", "400", "--db", path, "--quiet"}, noEnv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed: %v\n%s", err, errOut.String())
	}
	a := newTestApp(t, func(c *Config) { c.DB = path })
	srv := httptest.NewServer(a.routes())
	defer srv.Close()

	out.Reset()
	errOut.Reset()
	args := []string{"loadtest", "--base-url", srv.URL, "--db", path, "--duration", "2s", "--connections", "3",
		"--min-posts", "5", "--json"}
	if err := run(ctx, args, noEnv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("loadtest: %v\n%s", err, errOut.String())
	}
	var rep loadReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	if rep.Requests == 0 || rep.Errors != 0 || rep.RPS <= 0 {
		t.Fatalf("report: %+v", rep)
	}
	for name, s := range rep.Routes {
		if s.Errors > 0 {
			t.Errorf("%s: %d errors, first: %s", name, s.Errors, s.ErrSample)
		}
		if s.P50 > s.P90 || s.P90 > s.P99 || s.P99 > s.Max {
			t.Errorf("%s: percentiles out of order: %+v", name, s)
		}
	}
	for _, name := range []string{"topic", "home", "search", "reply"} {
		if rep.Routes[name] == nil {
			t.Errorf("route %s never asked in %v", name, rep.Routes)
		}
	}
	if rep.ServerPID != os.Getpid() || rep.ServerCPUms <= 0 || rep.ServerPeakRSSMB <= 0 {
		t.Errorf("server figures: pid %d (want %d), cpu %.3f ms, peak %.0f MB", rep.ServerPID, os.Getpid(), rep.ServerCPUms, rep.ServerPeakRSSMB)
	}

	// Text output names the routes; bad flags are one-line errors.
	out.Reset()
	if err := run(ctx, []string{"loadtest", "--base-url", srv.URL, "--db", path, "--duration", "300ms", "--connections", "1", "--min-posts", "5", "--mix", "home=1"}, noEnv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "requests/s") || !strings.Contains(out.String(), "home") {
		t.Errorf("text report:\n%s", out.String())
	}
	for _, bad := range [][]string{{"--connections", "0"}, {"--mix", "nosuch=1"}, {"--duration", "0s"}, {"extra"}} {
		if err := run(ctx, append([]string{"loadtest", "--db", path}, bad...), noEnv, strings.NewReader(""), &out, &errOut); err == nil {
			t.Errorf("loadtest %v accepted", bad)
		}
	}
}

// seedSmall seeds a small forum for the load tool's tests.
func seedSmall(t *testing.T, topics, posts string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seeded.db")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"seed", "--members", "20", "--topics", topics, "--posts", posts, "--db", path, "--quiet"},
		func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed: %v\n%s", err, errOut.String())
	}
	return path
}

// The reference serves a topic's page of 30 posts with their authors'
// names and stored HTML, later pages the rest, and 404 for no topic.
func TestReferenceServesTopicPage(t *testing.T) {
	path := seedSmall(t, "4", "300")
	ctx := context.Background()
	db, err := openReferenceDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var topic struct {
		ID    int64  `db:"id"`
		Title string `db:"title"`
		Posts int    `db:"posts"`
	}
	if err := db.GetContext(ctx, &topic, `SELECT t.id, t.title, COUNT(*) AS posts FROM topics t JOIN posts p ON p.topic_id = t.id
		WHERE p.deleted_at IS NULL GROUP BY t.id HAVING COUNT(*) > 30 ORDER BY COUNT(*), t.id LIMIT 1`); err != nil {
		t.Fatalf("no topic of 31+ posts in the seed: %v", err)
	}
	var first struct {
		Name string `db:"display_name"`
		HTML string `db:"body_html"`
	}
	if err := db.GetContext(ctx, &first, `SELECT m.display_name, p.body_html FROM posts p JOIN members m ON m.id = p.author_id
		WHERE p.topic_id = ? AND p.deleted_at IS NULL ORDER BY p.seq LIMIT 1`, topic.ID); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(referenceHandler(db))
	defer srv.Close()
	get := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	code, body := get(fmt.Sprintf("/t/%d", topic.ID))
	if code != http.StatusOK || strings.Count(body, "<article ") != 30 {
		t.Fatalf("page 1: %d, %d posts, want 200 and 30", code, strings.Count(body, "<article "))
	}
	if !strings.Contains(body, template.HTMLEscapeString(topic.Title)) || !strings.Contains(body, template.HTMLEscapeString(first.Name)) ||
		!strings.Contains(body, first.HTML) {
		t.Errorf("page 1 lacks the title, the first author's name or the first post's stored HTML:\n%.600s", body)
	}
	code, body = get(fmt.Sprintf("/t/%d?page=2", topic.ID))
	if want := min(topic.Posts-30, 30); code != http.StatusOK || strings.Count(body, "<article ") != want {
		t.Errorf("page 2: %d, %d posts, want %d", code, strings.Count(body, "<article "), want)
	}
	for _, p := range []string{"/t/999999", "/t/x"} {
		if code, _ := get(p); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
}

func TestCompareReference(t *testing.T) {
	rep := func(dur float64, requests, errors int, cpu float64) *loadReport {
		return &loadReport{Duration: dur, ServerCPUms: cpu,
			Routes: map[string]*routeStats{"topic": {Requests: requests, Errors: errors, P99: 12}}}
	}
	c := compareReference(rep(10, 5000, 0, 0.5), rep(10, 2000, 0, 1.5))
	if c.KlivPagesPerSecond != 500 || c.RefPagesPerSecond != 200 || c.Ratio != 2.5 || math.Abs(c.CPURatio-1.0/3) > 1e-9 || c.KlivP99 != 12 {
		t.Errorf("comparison %+v", c)
	}
	// Failed pages are no pages; unknown CPU gives no CPU ratio; a
	// reference that served nothing gives no ratio rather than infinity.
	c = compareReference(rep(10, 5000, 1000, 0), rep(20, 2000, 0, 1.5))
	if c.KlivPagesPerSecond != 400 || c.RefPagesPerSecond != 100 || c.Ratio != 4 || c.CPURatio != 0 {
		t.Errorf("comparison %+v", c)
	}
	if c := compareReference(rep(10, 100, 0, 1), &loadReport{Duration: 10}); c.Ratio != 0 || c.RefPagesPerSecond != 0 {
		t.Errorf("comparison with an empty reference %+v", c)
	}
}

func TestRSSTrend(t *testing.T) {
	var flat, growing []rssSample
	for i := 1; i <= 120; i++ { // every 5 s for 10 minutes
		flat = append(flat, rssSample{At: float64(5 * i), MB: 150 + float64(i%2)})
		growing = append(growing, rssSample{At: float64(5 * i), MB: 100 + float64(i)})
	}
	tr := trendOf(flat, 10*time.Minute)
	if tr.WindowS != 60 || math.Abs(tr.GrowthMB) > 1 {
		t.Errorf("flat: %+v", tr)
	}
	tr = trendOf(growing, 10*time.Minute)
	// First minute: samples 1–12 (mean 106.5); last: 108–120 (mean 214).
	if tr.FirstMB != 106.5 || tr.LastMB != 214 || tr.GrowthMB != 107.5 {
		t.Errorf("growing: %+v", tr)
	}
	// A short run compares its thirds.
	if tr := trendOf(growing[:6], 30*time.Second); tr.WindowS != 10 || tr.FirstMB != 101.5 || tr.LastMB != 105 {
		t.Errorf("short: %+v", tr)
	}
	if trendOf(growing[:1], time.Minute) != nil {
		t.Error("one sample gave a trend")
	}
}

// --reference runs the topic pattern against Kliv and the reference and
// compares them; the reference here is `kliv reference-serve` as a child
// process, found by its port.
func TestLoadtestReference(t *testing.T) {
	path := seedSmall(t, "20", "400")
	a := newTestApp(t, func(c *Config) { c.DB = path })
	srv := httptest.NewServer(a.routes())
	defer srv.Close()
	addr := freeAddr(t)
	ref := spawnKliv(t, []string{"reference-serve", "--db", path, "--addr", addr})
	for deadline := time.Now().Add(30 * time.Second); ; {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reference-serve did not start: %s", ref.Stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	ctx := context.Background()
	noEnv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	args := []string{"loadtest", "--reference", "--reference-url", "http://" + addr, "--base-url", srv.URL, "--db", path,
		"--duration", "1s", "--connections", "2", "--min-posts", "5", "--rss-every", "200ms", "--json"}
	if err := run(ctx, args, noEnv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("loadtest: %v\n%s", err, errOut.String())
	}
	var r referenceRun
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("report: %v\n%s", err, out.String())
	}
	for name, rep := range map[string]*loadReport{"kliv": r.Kliv, "reference": r.Reference} {
		s := rep.Routes["topic"]
		if s == nil || s.Requests == 0 || rep.Errors != 0 || len(rep.Routes) != 1 {
			t.Fatalf("%s: %+v", name, rep)
		}
	}
	if r.Kliv.ServerPID != os.Getpid() || r.Reference.ServerPID != ref.cmd.Process.Pid {
		t.Errorf("pids: kliv %d (want %d), reference %d (want %d)", r.Kliv.ServerPID, os.Getpid(), r.Reference.ServerPID, ref.cmd.Process.Pid)
	}
	if want := compareReference(r.Kliv, r.Reference); r.Comparison != want || want.Ratio <= 0 || want.RefCPUms <= 0 {
		t.Errorf("comparison %+v, want %+v", r.Comparison, want)
	}
	if len(r.Kliv.ServerRSS) < 2 || r.Kliv.RSSTrend == nil || r.Kliv.RSSTrend.FirstMB <= 0 {
		t.Errorf("RSS samples %v, trend %+v", r.Kliv.ServerRSS, r.Kliv.RSSTrend)
	}

	// The text report gives the ratio; --reference with another mix is
	// refused.
	out.Reset()
	args[len(args)-1] = "--rss-every=1s"
	if err := run(ctx, args, noEnv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "the minimal reference") || !strings.Contains(out.String(), "ratio") {
		t.Errorf("text report:\n%s", out.String())
	}
	if err := run(ctx, []string{"loadtest", "--reference", "--mix", "home=1", "--db", path}, noEnv, strings.NewReader(""), &out, &errOut); err == nil {
		t.Error("--reference --mix home=1 accepted")
	}
}
