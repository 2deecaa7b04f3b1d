package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// smtpSink is an in-process SMTP server that accepts every message and
// counts deliveries by Message-ID.
type smtpSink struct {
	ln  net.Listener
	mu  sync.Mutex
	ids map[string]int
	n   int
	wg  sync.WaitGroup
}

func newSMTPSink(t *testing.T) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, ids: map[string]int{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

// URL is the sink's address as KLIV_SMTP.
func (s *smtpSink) URL() string { return "smtp://" + s.ln.Addr().String() + "?from=kliv@example.se" }

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 sink ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250-sink")
			_ = tp.PrintfLine("250 8BITMIME")
		case "DATA":
			_ = tp.PrintfLine("354 go on")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			id := ""
			hdr, err := textproto.NewReader(bufio.NewReader(strings.NewReader(string(data)))).ReadMIMEHeader()
			if err == nil {
				id = hdr.Get("Message-Id")
			}
			s.mu.Lock()
			s.ids[id]++
			s.n++
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("250 ok")
		}
	}
}

// delivered is how often each Message-ID arrived, and the total.
func (s *smtpSink) delivered() (map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.ids))
	for k, v := range s.ids {
		out[k] = v
	}
	return out, s.n
}

// acks is every write the server answered 2xx, by kind.
type acks struct {
	mu     sync.Mutex
	topics map[int64]ackTopic
	posts  map[int64]*ackPost
	joins  map[int64]string // join request id → username
	// approved are join requests whose approval was answered 200.
	approved map[int64]bool
	topicIDs []int64
	// events are acknowledged events (topic id → capacity); rsvps are
	// the sign-ups sent per member and event, whether or not their
	// answer came (an unanswered one may have been written).
	events   map[int64]int
	eventIDs []int64
	rsvps    map[rsvpKey]*ackRSVP
	// bad are answers that must never come under plain load (5xx).
	bad []string
}

type ackTopic struct {
	Title       string
	FirstPostID int64
}

type ackPost struct {
	TopicID int64
	Word    string // a word only this post holds, to search for
	Version int
	Body    string
	// editing: an edit is in flight (its answer may never come).
	editing bool
}

// rsvpKey is one member's sign-up for one event.
type rsvpKey struct {
	who   string // her token's user
	event int64
}

// ackRSVP is what was sent for one sign-up: every status asked for, and
// whether any answer came.
type ackRSVP struct {
	sent  map[string]bool
	acked bool
}

func newAcks() *acks {
	return &acks{topics: map[int64]ackTopic{}, posts: map[int64]*ackPost{}, joins: map[int64]string{}, approved: map[int64]bool{},
		events: map[int64]int{}, rsvps: map[rsvpKey]*ackRSVP{}}
}

// writer drives one member's writes until ctx ends or the server dies.
func (k *acks) writer(ctx context.Context, base, token, admin, who string, w int, round int) {
	hc := &http.Client{Timeout: 20 * time.Second}
	rng := rand.New(rand.NewPCG(uint64(w), uint64(round)))
	var mine []int64
	for i := 0; ctx.Err() == nil; i++ {
		tag := fmt.Sprintf("r%dw%dn%d", round, w, i)
		word := "ord" + tag
		k.mu.Lock()
		var topic int64
		if len(k.topicIDs) > 0 {
			topic = k.topicIDs[rng.IntN(len(k.topicIDs))]
		}
		k.mu.Unlock()
		op := rng.IntN(100)
		k.mu.Lock()
		var event int64
		if len(k.eventIDs) > 0 {
			event = k.eventIDs[rng.IntN(len(k.eventIDs))]
		}
		k.mu.Unlock()
		switch {
		case op < 25 || topic == 0:
			title := "Ämne " + tag
			body := "Första inlägget " + word
			code, out, err := apiCall(ctx, hc, base, token, "POST", "/api/v1/topics",
				map[string]any{"category_id": 1 + rng.IntN(2), "title": title, "body": body})
			if !k.check(err, code, 201, "topic", out) {
				return
			}
			id, pid := int64(out["id"].(float64)), int64(out["post_id"].(float64))
			k.mu.Lock()
			k.topics[id] = ackTopic{Title: title, FirstPostID: pid}
			k.posts[pid] = &ackPost{TopicID: id, Word: word, Version: 1, Body: body}
			k.topicIDs = append(k.topicIDs, id)
			k.mu.Unlock()
			mine = append(mine, pid)
		case op < 60:
			body := "Ett svar " + word
			code, out, err := apiCall(ctx, hc, base, token, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", topic), map[string]any{"body": body})
			if !k.check(err, code, 201, "reply", out) {
				return
			}
			pid := int64(out["id"].(float64))
			k.mu.Lock()
			k.posts[pid] = &ackPost{TopicID: topic, Word: word, Version: 1, Body: body}
			k.mu.Unlock()
			mine = append(mine, pid)
		case op < 80 && len(mine) > 0:
			pid := mine[rng.IntN(len(mine))]
			k.mu.Lock()
			p := k.posts[pid]
			version := p.Version
			p.editing = true
			k.mu.Unlock()
			body := "Redigerat " + word + " (" + p.Word + ")"
			code, out, err := apiCall(ctx, hc, base, token, "PATCH", fmt.Sprintf("/api/v1/posts/%d", pid), map[string]any{"body": body, "version": version})
			if !k.check(err, code, 200, "edit", out) {
				return
			}
			k.mu.Lock()
			p.Version, p.Body, p.editing = int(out["version"].(float64)), body, false
			k.mu.Unlock()
		case op < 84 && (event == 0 || op < 81):
			// A small meetup: one seat, so sign-ups race for it.
			start := time.Now().Add(72 * time.Hour).UTC()
			code, out, err := apiCall(ctx, hc, base, token, "POST", "/api/v1/events", map[string]any{
				"category_id": 1, "title": "Träff " + tag, "body": "Vi ses " + word, "location": "Stadshuset",
				"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).Format(time.RFC3339), "capacity": 1})
			if !k.check(err, code, 201, "event", out) {
				return
			}
			id := int64(out["topic_id"].(float64))
			k.mu.Lock()
			k.events[id] = 1
			k.eventIDs = append(k.eventIDs, id)
			k.mu.Unlock()
		case op < 88 && event != 0:
			status := []string{"going", "maybe", "not_going"}[rng.IntN(3)]
			key := rsvpKey{who, event}
			k.mu.Lock()
			r := k.rsvps[key]
			if r == nil {
				r = &ackRSVP{sent: map[string]bool{}}
				k.rsvps[key] = r
			}
			r.sent[status] = true
			k.mu.Unlock()
			code, out, err := apiCall(ctx, hc, base, token, "POST", fmt.Sprintf("/api/v1/events/%d/rsvp", event), map[string]any{"status": status})
			if !k.check(err, code, 200, "rsvp", out) {
				return
			}
			k.mu.Lock()
			r.acked = true
			k.mu.Unlock()
		default:
			user := "sokande" + tag
			code, out, err := apiCall(ctx, hc, base, "", "POST", "/api/v1/join-requests", map[string]any{
				"username": user, "email": user + "@example.se", "password": testPassword, "display_name": "Sökande " + tag,
				"answers": map[string]any{"workplace": "Borås stad", "role": "Enhetschef", "staff_responsibility": true,
					"sector": "municipality", "motivation": "Jag vill lära av andra chefer."}})
			if !k.check(err, code, 201, "join request", out) {
				return
			}
			id := int64(out["id"].(float64))
			k.mu.Lock()
			k.joins[id] = user
			k.mu.Unlock()
			// The admin approves it: a member and a decision mail.
			code, out, err = apiCall(ctx, hc, base, admin, "POST", fmt.Sprintf("/api/v1/join-requests/%d/approve", id), map[string]any{})
			if !k.check(err, code, 200, "approve", out) {
				return
			}
			k.mu.Lock()
			k.approved[id] = true
			k.mu.Unlock()
		}
	}
}

// check reports whether the writer goes on: an answer other than want
// ends it (a transport error is the kill), and a 5xx is recorded.
func (k *acks) check(err error, code, want int, what string, out map[string]any) bool {
	if err != nil {
		return false
	}
	if code >= 500 {
		k.mu.Lock()
		k.bad = append(k.bad, fmt.Sprintf("%s: %d %v", what, code, out))
		k.mu.Unlock()
		return false
	}
	if code != want {
		k.mu.Lock()
		k.bad = append(k.bad, fmt.Sprintf("%s: %d %v (want %d)", what, code, out, want))
		k.mu.Unlock()
		return false
	}
	return true
}

// TestCrashLosesNothing drives 16 concurrent writers through the real
// server, kills it with SIGKILL at a random moment, restarts it and
// checks that every write answered 2xx is there and nothing is half
// written; three rounds, then a clean stop. Mail goes to an in-process
// SMTP sink, and no message arrives twice.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the real server")
	}
	db, ada := prepareDB(t)
	bea := mustAdminToken(t, db, "bea")
	sink := newSMTPSink(t)
	env := []string{"KLIV_SMTP=" + sink.URL()}
	k := newAcks()
	// KLIV_CRASH_ROUNDS=20 runs longer; KLIV_CRASH_SEED repeats the kill
	// points of a run that failed (its log names the seed).
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("KLIV_CRASH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	seed := time.Now().UnixNano()
	if n, err := strconv.ParseInt(os.Getenv("KLIV_CRASH_SEED"), 10, 64); err == nil {
		seed = n
	}
	t.Logf("kill points from seed %d (KLIV_CRASH_SEED)", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	srv := startServer(t, db, env...)
	for round := 1; round <= rounds; round++ {
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 16 {
			token := ada
			if w%2 == 1 {
				token = bea
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				k.writer(ctx, srv.URL, token, ada, map[bool]string{true: "bea", false: "ada"}[w%2 == 1], w, round)
			}()
		}
		kill := 700*time.Millisecond + time.Duration(rng.Int64N(int64(1800*time.Millisecond)))
		time.Sleep(kill)
		srv.signal(syscall.SIGKILL)
		srv.wait(10 * time.Second)
		stop()
		wg.Wait()
		k.mu.Lock()
		t.Logf("round %d: killed after %v; %d topics, %d posts, %d join requests acknowledged so far",
			round, kill, len(k.topics), len(k.posts), len(k.joins))
		k.mu.Unlock()

		// The mail in flight at the kill may have reached the sink; its
		// row is still 'sending' until its lease runs out.
		inflight := outboxInFlight(t, db)
		if len(inflight) > 0 {
			t.Logf("round %d: %d mails were being sent at the kill", round, len(inflight))
		}
		srv = startServer(t, db, env...)
		verifyAcks(t, db, k)
		waitOutboxDrained(t, db, inflight)
		if t.Failed() {
			return
		}
	}
	srv.signal(syscall.SIGTERM)
	if code := srv.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM: %s", code, srv.Stderr.String())
	}
	verifyAcks(t, db, k)
	ids, n := sink.delivered()
	for id, c := range ids {
		if c > 1 {
			t.Errorf("Message-ID %q delivered %d times", id, c)
		}
		if id == "" {
			t.Errorf("%d messages without a Message-ID", c)
		}
	}
	if n == 0 {
		t.Error("no mail was delivered: the outbox was not exercised")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, b := range k.bad {
		t.Errorf("under plain load: %s", b)
	}
	t.Logf("%d topics, %d posts, %d join requests, %d events, %d sign-ups, %d mails", len(k.topics), len(k.posts), len(k.joins),
		len(k.events), len(k.rsvps), n)
	if len(k.events) == 0 || len(k.rsvps) == 0 {
		t.Error("the writers made no event or no sign-up")
	}
}

// mustAdminToken creates another admin on db and returns her token.
func mustAdminToken(t *testing.T, db, username string) string {
	t.Helper()
	var out, errb strings.Builder
	noenv := func(string) string { return "" }
	if err := run(context.Background(), []string{"admin", "create", "--db", db, "--username", username, "--email", username + "@example.se",
		"--password", testPassword}, noenv, nil, &out, &errb); err != nil {
		t.Fatalf("admin create: %v %s", err, errb.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"token", "create", "--db", db, "--username", username}, noenv, nil, &out, &errb); err != nil {
		t.Fatalf("token create: %v %s", err, errb.String())
	}
	return strings.TrimSpace(out.String())
}

// rawDB opens db without migrating, for checks beside a running server.
func rawDB(t *testing.T, db string) *sqlx.DB {
	t.Helper()
	d, err := forum.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// outboxInFlight lists the outbox rows a killed server was sending.
func outboxInFlight(t *testing.T, db string) map[int64]bool {
	t.Helper()
	d := rawDB(t, db)
	defer d.Close()
	var ids []int64
	if err := d.Select(&ids, "SELECT id FROM outbox WHERE status = 'sending'"); err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// waitOutboxDrained waits until every outbox row is sent, but those a
// killed server was sending (their lease keeps them until it runs out).
func waitOutboxDrained(t *testing.T, db string, inflight map[int64]bool) {
	t.Helper()
	d := rawDB(t, db)
	defer d.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var rows []struct {
			ID     int64  `db:"id"`
			Status string `db:"status"`
		}
		if err := d.Select(&rows, "SELECT id, status FROM outbox WHERE status <> 'sent'"); err != nil {
			t.Fatal(err)
		}
		left := 0
		for _, r := range rows {
			if r.Status == "failed" {
				t.Errorf("outbox row %d failed", r.ID)
			}
			if !inflight[r.ID] {
				left++
			}
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d outbox rows unsent 20 s after the restart", left)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// verifyAcks checks the database against what was acknowledged, and
// against itself.
func verifyAcks(t *testing.T, db string, k *acks) {
	t.Helper()
	d := rawDB(t, db)
	defer d.Close()
	var ok string
	if err := d.Get(&ok, "PRAGMA integrity_check"); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	var fk []struct {
		Table string `db:"table"`
	}
	if err := d.Select(&fk, "SELECT \"table\" FROM pragma_foreign_key_check"); err != nil || len(fk) > 0 {
		t.Errorf("foreign key check: %v %v", fk, err)
	}
	// The search index is in step with the posts.
	if _, err := d.Exec("INSERT INTO post_search (post_search) VALUES ('integrity-check')"); err != nil {
		t.Errorf("search index out of step: %v", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	// Every acknowledged event is there, never over its capacity; every
	// answered sign-up is there with a status she asked for (going may
	// be on the waiting list, and a waiting one may have moved up).
	for id, capacity := range k.events {
		var going int
		if err := d.Get(&going, "SELECT COUNT(*) FROM event_rsvps r JOIN events e ON e.topic_id = r.topic_id WHERE r.topic_id = ? AND r.status = 'going'", id); err != nil {
			t.Errorf("acknowledged event %d: %v", id, err)
			continue
		}
		if going > capacity {
			t.Errorf("event %d: %d going, capacity %d", id, going, capacity)
		}
	}
	for key, r := range k.rsvps {
		if !r.acked {
			continue
		}
		var status string
		err := d.Get(&status, "SELECT r.status FROM event_rsvps r JOIN members m ON m.id = r.member_id WHERE r.topic_id = ? AND m.username = ?", key.event, key.who)
		if err != nil {
			t.Errorf("%s's acknowledged sign-up for event %d: %v", key.who, key.event, err)
			continue
		}
		if !r.sent[status] && !(status == "waitlisted" && r.sent["going"]) {
			t.Errorf("%s's sign-up for event %d is %q; she asked for %v", key.who, key.event, status, r.sent)
		}
	}
	for id, at := range k.topics {
		var title string
		var first *int64
		if err := d.QueryRow("SELECT title, first_post_id FROM topics WHERE id = ?", id).Scan(&title, &first); err != nil {
			t.Errorf("acknowledged topic %d: %v", id, err)
			continue
		}
		if title != at.Title || first == nil || *first != at.FirstPostID {
			t.Errorf("topic %d: %q first post %v, want %q %d", id, title, first, at.Title, at.FirstPostID)
		}
	}
	for id, ap := range k.posts {
		var topic int64
		var body string
		var version int
		if err := d.QueryRow("SELECT topic_id, body, version FROM posts WHERE id = ?", id).Scan(&topic, &body, &version); err != nil {
			t.Errorf("acknowledged post %d: %v", id, err)
			continue
		}
		switch {
		case topic != ap.TopicID:
			t.Errorf("post %d in topic %d, want %d", id, topic, ap.TopicID)
		case version == ap.Version && body != ap.Body:
			t.Errorf("post %d version %d holds %q, want %q", id, version, body, ap.Body)
		case version < ap.Version || version > ap.Version+1 || (version > ap.Version && !ap.editing):
			t.Errorf("post %d at version %d, acknowledged %d", id, version, ap.Version)
		}
		if version == ap.Version {
			var n int
			if err := d.Get(&n, "SELECT COUNT(*) FROM post_search WHERE post_search MATCH ? AND docid = ?", strings.ToLower(ap.Word), id); err != nil || n != 1 {
				t.Errorf("post %d not found by its word %s in the search index (%d, %v)", id, ap.Word, n, err)
			}
		}
	}
	for id, user := range k.joins {
		var status string
		if err := d.Get(&status, "SELECT status FROM join_requests WHERE id = ?", id); err != nil {
			t.Errorf("acknowledged join request %d (%s): %v", id, user, err)
			continue
		}
		if k.approved[id] && status != "approved" {
			t.Errorf("join request %d approved, stored %q", id, status)
		}
	}
	// Nothing half-written: every topic has its first post, and the
	// counters agree with the rows.
	checks := map[string]string{
		"topics without their first post": `SELECT COUNT(*) FROM topics t WHERE t.first_post_id IS NULL
			OR NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = t.first_post_id AND p.topic_id = t.id AND p.seq = 1)`,
		"topics whose post_count disagrees":      `SELECT COUNT(*) FROM topics t WHERE t.post_count <> (SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id)`,
		"topics whose last post is not the last": `SELECT COUNT(*) FROM topics t WHERE t.last_post_id IS DISTINCT FROM (SELECT MAX(id) FROM posts p WHERE p.topic_id = t.id)`,
		"categories whose topic_count disagrees": `SELECT COUNT(*) FROM categories c WHERE c.topic_count <> (SELECT COUNT(*) FROM topics t WHERE t.category_id = c.id)`,
		"categories whose post_count disagrees":  `SELECT COUNT(*) FROM categories c WHERE c.post_count <> (SELECT COUNT(*) FROM posts p JOIN topics t ON t.id = p.topic_id WHERE t.category_id = c.id)`,
		"posts whose reply_count disagrees":      `SELECT COUNT(*) FROM posts p WHERE p.reply_count <> (SELECT COUNT(*) FROM posts r WHERE r.reply_to = p.id)`,
		"search rows for no post":                `SELECT (SELECT COUNT(*) FROM post_search) - (SELECT COUNT(*) FROM post_search_content)`,
		"approved requests without a member":     `SELECT COUNT(*) FROM join_requests j JOIN members m ON m.id = j.member_id WHERE j.status = 'approved' AND m.status <> 'approved'`,
	}
	for what, q := range checks {
		var n int
		if err := d.Get(&n, q); err != nil {
			t.Errorf("%s: %v", what, err)
		} else if n != 0 {
			t.Errorf("%s: %d", what, n)
		}
	}
}
