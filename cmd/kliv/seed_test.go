package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kliv/forum/seed"
)

// kliv seed through run, then the seeded forum through the real router.
func TestSeedCommand(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seeded.db")
	noEnv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	args := []string{"seed", "--members", "30", "--topics", "60", "--posts", "600", "--db", path}
	if err := run(ctx, args, noEnv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("seed: %v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("output:\n%s", out.String())
	}
	for _, want := range []string{"seeded " + path, " 30 members", " 60 topics in 10 categories", " 600 posts"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("summary %q lacks %q", lines[0], want)
		}
	}
	if lines[1] != "admin: admin / "+seed.DemoPassword || lines[2] != "moderator: moderator / "+seed.DemoPassword ||
		!strings.HasPrefix(lines[3], "member: ") {
		t.Errorf("credentials:\n%s", strings.Join(lines[1:], "\n"))
	}
	if !strings.Contains(errOut.String(), "seed: posts 600/600 (100%)") {
		t.Errorf("progress:\n%s", errOut.String())
	}

	a := newTestApp(t, func(c *Config) { c.DB = path })
	problems, err := a.store.CheckCounters(ctx)
	if err != nil || len(problems) > 0 {
		t.Fatalf("counters: %v %v", problems, err)
	}
	for q, atLeast := range map[string]int{
		`SELECT COUNT(*) FROM topics WHERE post_count > 31`:                                                                1,
		`SELECT COUNT(DISTINCT kind) FROM topics`:                                                                          4,
		`SELECT COUNT(DISTINCT category_id) FROM topics`:                                                                   10,
		`SELECT COUNT(*) FROM posts WHERE reply_to IS NOT NULL`:                                                            50,
		`SELECT COUNT(*) FROM join_requests WHERE status = 'pending'`:                                                      1,
		`SELECT COUNT(*) FROM join_requests WHERE status = 'rejected'`:                                                     1,
		`SELECT COUNT(*) FROM reactions`:                                                                                   50,
		`SELECT COUNT(*) FROM members WHERE status = 'approved' AND role_title <> '' AND workplace <> '' AND sector <> ''`: 30,
	} {
		var n int
		if err := a.db.Get(&n, q); err != nil || n < atLeast {
			t.Errorf("%s = %d (%v), want at least %d", q, n, err, atLeast)
		}
	}
	var same int
	if err := a.db.Get(&same, `SELECT COUNT(*) FROM posts p JOIN posts r ON r.id = p.reply_to WHERE r.topic_id <> p.topic_id`); err != nil || same != 0 {
		t.Errorf("%d replies answer a post of another topic (%v)", same, err)
	}

	// The admin signs in with the printed password and reads the forum.
	c := newTestClient(t, a)
	c.login("admin", seed.DemoPassword)
	c.api(http.MethodGet, "/api/v1/topics", nil).wantStatus(http.StatusOK)
	c.api(http.MethodGet, "/api/v1/join-requests?status=pending", nil).wantStatus(http.StatusOK).contains(`"status":"pending"`)
	var big int64
	if err := a.db.Get(&big, `SELECT id FROM topics ORDER BY post_count DESC LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	c.get(fmt.Sprintf("/t/%d", big)).wantStatus(http.StatusOK)
	c.get(fmt.Sprintf("/t/%d?page=2", big)).wantStatus(http.StatusOK)

	// A second run refuses in one line; --force adds.
	out.Reset()
	err = run(ctx, args, noEnv, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "has topics already") || strings.Contains(err.Error(), "\n") {
		t.Errorf("second run: %v", err)
	}
	if err := run(ctx, []string{"seed", "--members", "3", "--topics", "2", "--posts", "4", "--force", "--quiet", "--db", path},
		noEnv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Errorf("forced run: %v", err)
	}

	// Bad sizes are refused before a database is created.
	fresh := filepath.Join(t.TempDir(), "none.db")
	err = run(ctx, []string{"seed", "--topics", "10", "--posts", "5", "--db", fresh}, noEnv, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--posts") {
		t.Errorf("posts < topics: %v", err)
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("a refused seed created %s", fresh)
	}
}
