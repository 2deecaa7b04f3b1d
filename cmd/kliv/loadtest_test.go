package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
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
