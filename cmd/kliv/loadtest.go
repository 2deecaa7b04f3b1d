package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"kliv/forum"
	"kliv/forum/seed"
)

// kliv loadtest drives a running server with a mixed, realistic workload:
// signed-in members reading random long topics (nearly every view a first
// one that moves her read mark), lists, searches and notifications, and
// writing replies, thanks and edits. It reports per route and, when the
// server runs on this machine, its CPU time per request and peak RSS.

// loadRoutes are the kinds of request in the mix, with their default
// weights: mostly reading, as members do.
var loadRoutes = []struct {
	name   string
	weight int
}{
	{"topic", 50}, {"home", 10}, {"category", 8}, {"followed", 4}, {"search", 10},
	{"notifications", 6}, {"reply", 6}, {"thank", 4}, {"edit", 2},
}

// loadQueries are searches members make: common words, prefixes, phrases.
var loadQueries = []string{
	"schema", "bemanning", "medarbetare", "ledarskap", "rekrytering", "arbetsmiljö", "budget", "sjukfrånvaro",
	"led*", "rekry*", "sjuk*", "sam*", `"svåra samtal"`, `"nya medarbetare"`, "schema -helg", "hemtjänst",
}

// loadConfig is one load test.
type loadConfig struct {
	BaseURL     string
	DB          string
	Duration    time.Duration
	Connections int
	Mix         map[string]int
	MinPosts    int
	Topics      int
	Password    string
	PID         int
	Seed        uint64
	// Anonymous members do not sign in (the minimal reference has no
	// sessions).
	Anonymous bool
	// RSSEvery is how often the server's resident set is sampled.
	RSSEvery time.Duration
	// Log gets progress lines; nil for none.
	Log io.Writer
}

// parseMix reads "topic=50,home=10,…"; routes left out get weight 0, an
// empty string gives the default mix.
func parseMix(s string) (map[string]int, error) {
	mix := map[string]int{}
	if strings.TrimSpace(s) == "" {
		for _, r := range loadRoutes {
			mix[r.name] = r.weight
		}
		return mix, nil
	}
	known := map[string]bool{}
	for _, r := range loadRoutes {
		known[r.name] = true
	}
	total := 0
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, fmt.Errorf("mix %q: want route=weight", part)
		}
		if !known[name] {
			return nil, fmt.Errorf("mix: unknown route %q (routes: %s)", name, strings.Join(loadRouteNames(), ", "))
		}
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("mix %q: weight must be a whole number ≥ 0", part)
		}
		mix[name] = n
		total += n
	}
	if total == 0 {
		return nil, errors.New("mix: every weight is 0")
	}
	return mix, nil
}

func loadRouteNames() []string {
	var names []string
	for _, r := range loadRoutes {
		names = append(names, r.name)
	}
	return names
}

// picker chooses routes by weight.
type picker struct {
	names []string
	cum   []int
}

func newPicker(mix map[string]int) *picker {
	p := &picker{}
	total := 0
	for _, r := range loadRoutes {
		if w := mix[r.name]; w > 0 {
			total += w
			p.names = append(p.names, r.name)
			p.cum = append(p.cum, total)
		}
	}
	return p
}

func (p *picker) pick(r *rand.Rand) string {
	n := r.IntN(p.cum[len(p.cum)-1])
	i := sort.SearchInts(p.cum, n+1)
	return p.names[i]
}

// routeStats are one route's answers.
type routeStats struct {
	Requests int             `json:"requests"`
	Errors   int             `json:"errors"`
	Statuses map[int]int     `json:"statuses"`
	P50      float64         `json:"p50_ms"`
	P90      float64         `json:"p90_ms"`
	P99      float64         `json:"p99_ms"`
	Max      float64         `json:"max_ms"`
	lat      []time.Duration `json:"-"`
	// errSample is one error, to say what went wrong.
	ErrSample string `json:"error_sample,omitempty"`
}

// loadReport is a load test's result.
type loadReport struct {
	Duration        float64                `json:"duration_s"`
	Connections     int                    `json:"connections"`
	Requests        int                    `json:"requests"`
	Errors          int                    `json:"errors"`
	RPS             float64                `json:"requests_per_second"`
	Routes          map[string]*routeStats `json:"routes"`
	ServerPID       int                    `json:"server_pid,omitempty"`
	ServerCPUms     float64                `json:"server_cpu_ms_per_request,omitempty"`
	ServerPeakRSSMB float64                `json:"server_peak_rss_mb,omitempty"`
	// ServerRSS are the resident set's samples through the run, and
	// RSSTrend compares its start with its end.
	ServerRSS []rssSample `json:"server_rss_samples,omitempty"`
	RSSTrend  *rssTrend   `json:"server_rss_trend,omitempty"`
}

// rssSample is the server's resident set at a moment of the run.
type rssSample struct {
	At float64 `json:"t_s"`
	MB float64 `json:"rss_mb"`
}

// rssTrend compares the resident set of the run's first window with its
// last: a server that holds on to memory shows a growth.
type rssTrend struct {
	WindowS  float64 `json:"window_s"`
	FirstMB  float64 `json:"first_mean_mb"`
	LastMB   float64 `json:"last_mean_mb"`
	GrowthMB float64 `json:"growth_mb"`
}

// trendOf is the mean resident set of the first and the last window of
// the samples: a minute when the run is three minutes or longer, else a
// third of it. Nil with fewer than two samples.
func trendOf(samples []rssSample, duration time.Duration) *rssTrend {
	if len(samples) < 2 {
		return nil
	}
	window := time.Minute.Seconds()
	if d := duration.Seconds(); d < 3*window {
		window = d / 3
	}
	end := samples[len(samples)-1].At
	var first, last []float64
	for _, s := range samples {
		if s.At <= window {
			first = append(first, s.MB)
		}
		if s.At >= end-window {
			last = append(last, s.MB)
		}
	}
	if len(first) == 0 {
		first = []float64{samples[0].MB}
	}
	mean := func(xs []float64) float64 {
		t := 0.0
		for _, x := range xs {
			t += x
		}
		return t / float64(len(xs))
	}
	t := &rssTrend{WindowS: window, FirstMB: mean(first), LastMB: mean(last)}
	t.GrowthMB = t.LastMB - t.FirstMB
	return t
}

// percentile returns the p-th percentile (0–100) of sorted durations in
// milliseconds, by the nearest-rank method.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return float64(sorted[rank-1].Microseconds()) / 1000
}

func (s *routeStats) finish() {
	sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
	s.P50, s.P90, s.P99 = percentile(s.lat, 50), percentile(s.lat, 90), percentile(s.lat, 99)
	s.Max = percentile(s.lat, 100)
}

// loadMember is one connection's member: her session and what she wrote.
type loadMember struct {
	username string
	id       int64
	client   *http.Client
	csrf     string
	// own are her posts from this run, with their versions, to edit.
	own []ownPost
}

type ownPost struct {
	id      int64
	version int
}

// cmdLoadtest is `kliv loadtest`.
func cmdLoadtest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("loadtest", stderr)
	base := fs.String("base-url", "", "the server to load (default KLIV_BASE_URL or http://127.0.0.1:8080)")
	db := fs.String("db", "", "the server's SQLite database, read to pick members and topics (default KLIV_DB or kliv.db)")
	dur := fs.Duration("duration", 30*time.Second, "how long to run")
	conns := fs.Int("connections", 16, "concurrent connections, each a signed-in member")
	mix := fs.String("mix", "", "route weights, e.g. topic=50,home=10,category=8,followed=4,search=10,notifications=6,reply=6,thank=4,edit=2")
	minPosts := fs.Int("min-posts", 30, "read topics with at least this many posts")
	topics := fs.Int("topics", 20000, "how many such topics to pick from")
	password := fs.String("password", seed.DemoPassword, "the members' password (the seed's by default)")
	pid := fs.Int("pid", 0, "the server's process id for CPU and memory (default: found by its port when it runs here)")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	rssEvery := fs.Duration("rss-every", 5*time.Second, "how often to sample the server's resident set")
	reference := fs.Bool("reference", false, "also run the topic pattern against the minimal reference (kliv reference-serve) and compare")
	referenceURL := fs.String("reference-url", "", "with --reference: a reference server already running there, instead of starting one")
	seedN := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("loadtest: unexpected argument %q", fs.Arg(0))
	}
	m, err := parseMix(*mix)
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	cfg := loadConfig{BaseURL: firstNonEmpty(*base, getenv("KLIV_BASE_URL"), "http://127.0.0.1:8080"),
		DB: firstNonEmpty(*db, getenv("KLIV_DB"), "kliv.db"), Duration: *dur, Connections: *conns, Mix: m,
		MinPosts: *minPosts, Topics: *topics, Password: *password, PID: *pid, Seed: *seedN, RSSEvery: *rssEvery, Log: stderr}
	if cfg.Connections < 1 || cfg.Connections > 4096 {
		return errors.New("loadtest: --connections must be between 1 and 4096")
	}
	if cfg.Duration <= 0 {
		return errors.New("loadtest: --duration must be positive")
	}
	if cfg.RSSEvery <= 0 {
		return errors.New("loadtest: --rss-every must be positive")
	}
	if *reference {
		if *mix != "" && (len(m) != 1 || m["topic"] == 0) {
			return errors.New("loadtest: --reference runs topic pages only; leave out --mix or give --mix topic=1")
		}
		cfg.Mix = map[string]int{"topic": 1}
		cmp, err := runReference(ctx, cfg, *referenceURL)
		if err != nil {
			return fmt.Errorf("loadtest: %w", err)
		}
		if *jsonOut {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(cmp)
		}
		printReferenceRun(stdout, cmp)
		return nil
	}
	rep, err := runLoad(ctx, cfg)
	if err != nil {
		return fmt.Errorf("loadtest: %w", err)
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printLoadReport(stdout, rep)
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// runLoad signs the members in, runs the mix for the duration and
// gathers the report.
func runLoad(ctx context.Context, cfg loadConfig) (*loadReport, error) {
	logf := func(format string, args ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", args...)
		}
	}
	db, err := forum.OpenReadOnly(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	sample, err := forum.SampleForLoad(ctx, db, cfg.Connections, cfg.Topics, cfg.MinPosts, 30)
	db.Close()
	if err != nil {
		return nil, err
	}
	if len(sample.Members) == 0 || len(sample.Topics) == 0 {
		return nil, fmt.Errorf("%s has no members or no topics with %d+ posts: seed it first (kliv seed)", cfg.DB, cfg.MinPosts)
	}
	logf("loadtest: %d topics with %d+ posts, %d members, %d connections, %s", len(sample.Topics), cfg.MinPosts,
		len(sample.Members), cfg.Connections, cfg.Duration)

	transport := &http.Transport{MaxIdleConns: cfg.Connections * 2, MaxIdleConnsPerHost: cfg.Connections * 2,
		IdleConnTimeout: time.Minute, DisableCompression: true}
	defer transport.CloseIdleConnections()
	members := make([]*loadMember, cfg.Connections)
	var signErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range members {
		if cfg.Anonymous {
			members[i] = &loadMember{client: &http.Client{Transport: transport, Timeout: 30 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			m, err := signIn(ctx, cfg, transport, sample.Members[i%len(sample.Members)])
			mu.Lock()
			defer mu.Unlock()
			if err != nil && signErr == nil {
				signErr = err
			}
			members[i] = m
		}()
	}
	wg.Wait()
	if signErr != nil {
		return nil, signErr
	}

	pid := cfg.PID
	if pid == 0 {
		pid = findServerPID(cfg.BaseURL)
	}
	cpu0, _ := procCPU(pid)
	stats := map[string]*routeStats{}
	for _, r := range loadRoutes {
		stats[r.name] = &routeStats{Statuses: map[int]int{}}
	}
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var rssSamples []rssSample
	var rssDone = make(chan struct{})
	start := time.Now()
	go func() {
		defer close(rssDone)
		if pid == 0 {
			return
		}
		every := cfg.RSSEvery
		if every <= 0 {
			every = 5 * time.Second
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				if rss, peak, err := procRSS(pid); err == nil {
					at := time.Since(start).Seconds()
					rssSamples = append(rssSamples, rssSample{At: math.Round(at*10) / 10, MB: math.Round(rss*10) / 10})
					logf("loadtest: %4.0f s  server RSS %.0f MB (peak %.0f MB)", at, rss, peak)
				}
			}
		}
	}()
	p := newPicker(cfg.Mix)
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1))
			local := map[string]*routeStats{}
			for _, rt := range loadRoutes {
				local[rt.name] = &routeStats{Statuses: map[int]int{}}
			}
			for runCtx.Err() == nil {
				route := p.pick(r)
				t0 := time.Now()
				code, err := m.do(runCtx, cfg, r, sample, route)
				el := time.Since(t0)
				if runCtx.Err() != nil && err != nil {
					break // cut off by the end of the run, not an error
				}
				s := local[route]
				s.Requests++
				s.lat = append(s.lat, el)
				if code != 0 {
					s.Statuses[code]++
				}
				if err != nil {
					s.Errors++
					if s.ErrSample == "" {
						s.ErrSample = err.Error()
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for name, s := range local {
				t := stats[name]
				t.Requests += s.Requests
				t.Errors += s.Errors
				t.lat = append(t.lat, s.lat...)
				for c, n := range s.Statuses {
					t.Statuses[c] += n
				}
				if t.ErrSample == "" {
					t.ErrSample = s.ErrSample
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cancel()
	<-rssDone

	rep := &loadReport{Duration: elapsed.Seconds(), Connections: cfg.Connections, Routes: map[string]*routeStats{}}
	for name, s := range stats {
		if s.Requests == 0 {
			continue
		}
		s.finish()
		rep.Routes[name] = s
		rep.Requests += s.Requests
		rep.Errors += s.Errors
	}
	rep.RPS = float64(rep.Requests) / elapsed.Seconds()
	if pid != 0 {
		rep.ServerPID = pid
		if cpu1, err := procCPU(pid); err == nil && rep.Requests > 0 {
			rep.ServerCPUms = float64((cpu1 - cpu0).Microseconds()) / 1000 / float64(rep.Requests)
		}
		if _, peak, err := procRSS(pid); err == nil {
			rep.ServerPeakRSSMB = peak
		}
		rep.ServerRSS = rssSamples
		rep.RSSTrend = trendOf(rssSamples, elapsed)
	}
	return rep, nil
}

// signIn signs a member in through the API and keeps her cookie and CSRF
// token.
func signIn(ctx context.Context, cfg loadConfig, tr http.RoundTripper, username string) (*loadMember, error) {
	jar, _ := cookiejar.New(nil)
	m := &loadMember{username: username, client: &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	body, _ := json.Marshal(map[string]string{"login": username, "password": cfg.Password})
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	code, err := m.call(ctx, cfg, http.MethodPost, "/api/v1/session", body, &out)
	if err != nil || code != http.StatusOK {
		return nil, fmt.Errorf("sign in as %s: %d %v (is the server started with --rate-limits off, on this database?)", username, code, err)
	}
	m.csrf = out.CSRF
	var me struct {
		ID int64 `json:"id"`
	}
	if _, err := m.call(ctx, cfg, http.MethodGet, "/api/v1/me", nil, &me); err == nil {
		m.id = me.ID
	}
	return m, nil
}

// call makes one request and decodes a JSON answer into out (when not nil).
func (m *loadMember) call(ctx context.Context, cfg loadConfig, method, path string, body []byte, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, cfg.BaseURL+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && m.csrf != "" {
		req.Header.Set("X-CSRF-Token", m.csrf)
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	return resp.StatusCode, nil
}

// do makes one request of the route and says whether the answer was what
// a member should get.
func (m *loadMember) do(ctx context.Context, cfg loadConfig, r *rand.Rand, s *forum.LoadSample, route string) (int, error) {
	get := func(path string) (int, error) {
		code, err := m.call(ctx, cfg, http.MethodGet, path, nil, nil)
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("GET %s: %d", path, code)
		}
		return code, err
	}
	topic := s.Topics[r.IntN(len(s.Topics))]
	switch route {
	case "topic":
		pages := (topic.PostCount + forum.PageSize - 1) / forum.PageSize
		page := 1 + r.IntN(max(pages, 1))
		if page == 1 {
			return get(fmt.Sprintf("/t/%d", topic.ID))
		}
		return get(fmt.Sprintf("/t/%d?page=%d", topic.ID, page))
	case "home":
		return get("/")
	case "category":
		return get("/c/" + url.PathEscape(s.Categories[r.IntN(len(s.Categories))]))
	case "followed":
		return get("/following")
	case "search":
		return get("/search?q=" + url.QueryEscape(loadQueries[r.IntN(len(loadQueries))]))
	case "notifications":
		return get("/notifications")
	case "reply":
		return m.reply(ctx, cfg, r, topic.ID)
	case "thank":
		t := s.Topics[r.IntN(min(len(s.Topics), 2000))]
		var candidates []int64
		for _, p := range t.Posts {
			if p.AuthorID != m.id {
				candidates = append(candidates, p.ID)
			}
		}
		if len(candidates) == 0 {
			return get(fmt.Sprintf("/t/%d", t.ID))
		}
		path := fmt.Sprintf("/api/v1/posts/%d/reactions", candidates[r.IntN(len(candidates))])
		code, err := m.call(ctx, cfg, http.MethodPost, path, []byte(`{}`), nil)
		// Thanked already (409) is the answer a member gets the second
		// time, not a failure.
		if err == nil && code != http.StatusCreated && code != http.StatusConflict {
			err = fmt.Errorf("POST %s: %d", path, code)
		}
		return code, err
	case "edit":
		if len(m.own) == 0 {
			return m.reply(ctx, cfg, r, topic.ID)
		}
		i := r.IntN(len(m.own))
		p := &m.own[i]
		body, _ := json.Marshal(map[string]any{"body": loadText(r, "Rättat"), "version": p.version})
		var out struct {
			Version int `json:"version"`
		}
		path := fmt.Sprintf("/api/v1/posts/%d", p.id)
		code, err := m.call(ctx, cfg, http.MethodPatch, path, body, &out)
		if err == nil && code != http.StatusOK {
			err = fmt.Errorf("PATCH %s: %d", path, code)
		}
		if err == nil {
			p.version = out.Version
		}
		return code, err
	}
	return 0, fmt.Errorf("unknown route %s", route)
}

func (m *loadMember) reply(ctx context.Context, cfg loadConfig, r *rand.Rand, topicID int64) (int, error) {
	body, _ := json.Marshal(map[string]any{"body": loadText(r, "Svar")})
	var out struct {
		ID int64 `json:"id"`
	}
	path := fmt.Sprintf("/api/v1/topics/%d/posts", topicID)
	code, err := m.call(ctx, cfg, http.MethodPost, path, body, &out)
	if err == nil && code != http.StatusCreated {
		err = fmt.Errorf("POST %s: %d", path, code)
	}
	if err == nil && len(m.own) < 50 {
		m.own = append(m.own, ownPost{id: out.ID, version: 1})
	}
	return code, err
}

// loadText is a short post of a few sentences.
func loadText(r *rand.Rand, lead string) string {
	parts := []string{"Vi har provat ett nytt schema i hemtjänsten.", "Det fungerar bra för medarbetarna.",
		"Hur gör ni med bemanningen under semestern?", "Tack för tipset, vi testar det.",
		"Ledarskap i förändring tar tid.", "Vår rekrytering går bättre sedan vi ändrade annonsen."}
	var b strings.Builder
	b.WriteString(lead)
	b.WriteString(": ")
	for range 2 + r.IntN(3) {
		b.WriteString(parts[r.IntN(len(parts))])
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "(%d)", r.Uint32())
	return b.String()
}

func printLoadReport(w io.Writer, rep *loadReport) {
	fmt.Fprintf(w, "%d requests in %.1f s at %d connections: %.0f requests/s, %d errors\n",
		rep.Requests, rep.Duration, rep.Connections, rep.RPS, rep.Errors)
	if rep.ServerPID != 0 {
		fmt.Fprintf(w, "server pid %d: %.3f ms CPU a request, peak RSS %.0f MB\n", rep.ServerPID, rep.ServerCPUms, rep.ServerPeakRSSMB)
	}
	if t := rep.RSSTrend; t != nil {
		fmt.Fprintf(w, "server RSS: first %.0f s %.0f MB, last %.0f s %.0f MB (%+.0f MB), %d samples\n",
			t.WindowS, t.FirstMB, t.WindowS, t.LastMB, t.GrowthMB, len(rep.ServerRSS))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\trequests\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\t")
	names := make([]string, 0, len(rep.Routes))
	for name := range rep.Routes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		s := rep.Routes[name]
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t\n", name, s.Requests, float64(s.Requests)/rep.Duration,
			s.P50, s.P90, s.P99, s.Max, s.Errors)
	}
	tw.Flush()
	for _, name := range names {
		if s := rep.Routes[name]; s.ErrSample != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", name, s.ErrSample)
		}
	}
}

// procCPU is a process's CPU time (user + system) from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, errors.New("no pid")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after it do not.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("bad stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("bad stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("bad stat")
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

// procRSS is a process's resident set and its peak, in MB, from
// /proc/PID/status.
func procRSS(pid int) (rss, peak float64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fs := strings.Fields(v)
		if len(fs) == 0 {
			continue
		}
		kb, _ := strconv.ParseFloat(fs[0], 64)
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			peak = kb / 1024
		}
	}
	return rss, peak, sc.Err()
}

// findServerPID finds the process of this machine that listens on the
// base URL's port, through /proc/net/tcp and the processes' sockets; 0
// when it is elsewhere or cannot be seen.
func findServerPID(baseURL string) int {
	u, err := url.Parse(baseURL)
	if err != nil {
		return 0
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return 0
	}
	pn, err := strconv.Atoi(port)
	if err != nil {
		return 0
	}
	inodes := map[string]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A: listening
				continue
			}
			_, hexPort, _ := strings.Cut(f[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); err == nil && int(p) == pn {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		if target, err := os.Readlink(fd); err == nil && inodes[target] {
			pid, _ := strconv.Atoi(strings.Split(fd, "/")[2])
			return pid
		}
	}
	return 0
}
