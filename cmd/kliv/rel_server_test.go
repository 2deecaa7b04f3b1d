package main

// The real server as a child process, for the tests that need one: crash
// safety (SIGKILL), graceful shutdown (SIGTERM), start refusals, backups
// under load. The test binary runs itself as `kliv` when
// KLIV_TEST_SERVER holds the arguments (a JSON list), so no separate
// build is needed.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"kliv/forum"
)

// TestRelServerProcess is not a test of its own: it is the child process
// the server tests start (see startServer), and skips otherwise.
func TestRelServerProcess(t *testing.T) {
	spec := os.Getenv("KLIV_TEST_SERVER")
	if spec == "" {
		t.Skip("the server process of the crash, shutdown and backup tests")
	}
	var args []string
	if err := json.Unmarshal([]byte(spec), &args); err != nil {
		fmt.Fprintf(os.Stderr, "kliv: bad KLIV_TEST_SERVER: %v\n", err)
		os.Exit(2)
	}
	// Sign-ups hash passwords; the production cost would only slow the
	// test down.
	forum.DefaultPasswordParams = forum.TestPasswordParams
	if s := os.Getenv("KLIV_TEST_MIN_FREE_BYTES"); s != "" {
		n, _ := strconv.ParseUint(s, 10, 64)
		forum.MinFreeBytes = n
	}
	// What main does.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kliv: %v\n", oneLine(err))
		os.Exit(1)
	}
	os.Exit(0)
}

// serverProc is a running child `kliv`.
type serverProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	Addr   string
	URL    string
	Stderr *syncBuffer
	exited chan struct{}
	err    error // the exit, once exited is closed
}

// freeAddr is a free loopback address for a child server.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// spawnKliv starts the test binary as `kliv args…` with env added.
func spawnKliv(t *testing.T, args []string, env ...string) *serverProc {
	t.Helper()
	return spawnKlivAs(t, nil, args, env...)
}

// spawnKlivAs is spawnKliv as another user (cred, when not nil), from the
// binary KLIV_TEST_BIN in env when given.
func spawnKlivAs(t *testing.T, cred *syscall.Credential, args []string, env ...string) *serverProc {
	t.Helper()
	spec, _ := json.Marshal(args)
	bin := os.Args[0]
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "KLIV_TEST_BIN="); ok {
			bin = v
		}
	}
	cmd := exec.Command(bin, "-test.run=^TestRelServerProcess$", "-test.count=1")
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	cmd.Env = append(os.Environ(), "KLIV_TEST_SERVER="+string(spec), "KLIV_RATE_LIMITS=off")
	cmd.Env = append(cmd.Env, env...)
	p := &serverProc{t: t, cmd: cmd, Stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stdout = io.Discard
	cmd.Stderr = p.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// startServer runs `kliv serve` on db and waits until /healthz answers.
func startServer(t *testing.T, db string, env ...string) *serverProc {
	t.Helper()
	addr := freeAddr(t)
	p := spawnKliv(t, []string{"serve", "--db", db, "--addr", addr}, env...)
	p.Addr, p.URL = addr, "http://"+addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-p.exited:
			t.Fatalf("kliv serve exited at start (%v): %s", p.err, p.Stderr.String())
		default:
		}
		res, err := http.Get(p.URL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("kliv serve not up after 30 s: %s", p.Stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wait waits for the child to exit and returns its exit code.
func (p *serverProc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(d):
		p.t.Fatalf("kliv did not exit within %v: %s", d, p.Stderr.String())
	}
	if p.err == nil {
		return 0
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	p.t.Fatalf("kliv: %v", p.err)
	return -1
}

// signal sends sig to the child.
func (p *serverProc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// prepareDB makes a database with an admin "ada" and returns its path
// and a bearer token of hers, through the real commands.
func prepareDB(t *testing.T) (db, token string) {
	t.Helper()
	db = filepath.Join(t.TempDir(), "kliv.db")
	ctx := context.Background()
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"admin", "create", "--db", db, "--username", "ada", "--email", "ada@example.se",
		"--password", testPassword}, func(string) string { return "" }, nil, &out, &errb); err != nil {
		t.Fatalf("admin create: %v %s", err, errb.String())
	}
	out.Reset()
	if err := run(ctx, []string{"token", "create", "--db", db, "--username", "ada"},
		func(string) string { return "" }, nil, &out, &errb); err != nil {
		t.Fatalf("token create: %v %s", err, errb.String())
	}
	return db, strings.TrimSpace(out.String())
}

// apiCall sends one JSON request as the bearer of token.
func apiCall(ctx context.Context, hc *http.Client, base, token, method, path string, body any) (int, map[string]any, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, nil, err
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	if out == nil {
		out = map[string]any{"raw": string(b)}
	}
	return res.StatusCode, out, nil
}

func TestGracefulShutdownDrainsSlowRequest(t *testing.T) {
	db, token := prepareDB(t)
	srv := startServer(t, db)

	// A slow upload: headers and half the body now, the rest after the
	// signal.
	body := []byte(`{"category_id":1,"title":"Skrivet under omstarten","body":"Ett inlägg som laddades upp långsamt."}`)
	conn, err := net.Dial("tcp", srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/topics HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		srv.Addr, token, len(body))
	half := len(body) / 2
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the handler is reading the body
	srv.signal(syscall.SIGTERM)

	// New connections are refused once the listener is closed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", srv.Addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 5 s after SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-srv.exited:
		t.Fatalf("the server exited with a request in flight: %s", srv.Stderr.String())
	default:
	}

	// The request in flight completes.
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v; %s", err, srv.Stderr.String())
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("the request in flight answered %d: %s", res.StatusCode, b)
	}
	if code := srv.wait(15 * time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM: %s", code, srv.Stderr.String())
	}
	log := srv.Stderr.String()
	stopped, closed := strings.Index(log, "stopped: requests drained, workers done"), strings.Index(log, "database closed")
	if stopped < 0 || closed < stopped {
		t.Errorf("no clean stop (workers, then the database) in the log: %s", log)
	}

	// What it answered is there, and the database is whole and closed
	// (the server's lock is free again).
	a := openExisting(t, db)
	var n int
	if err := a.db.Get(&n, "SELECT COUNT(*) FROM topics WHERE title = 'Skrivet under omstarten'"); err != nil || n != 1 {
		t.Fatalf("the drained topic: %d rows (%v)", n, err)
	}
	unlock, err := forum.LockDB(db)
	if err != nil {
		t.Fatalf("the server's lock is still held after it stopped: %v", err)
	}
	unlock()
}

// openExisting opens a database a child server wrote, in this process.
func openExisting(t *testing.T, db string) *app {
	t.Helper()
	a, err := openCommandApp(context.Background(), Config{DB: db, BaseURL: testBaseURL}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.close() })
	var ok string
	if err := a.db.Get(&ok, "PRAGMA integrity_check"); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	return a
}

// refusal runs `kliv serve` expecting it to refuse to start: exit 1 and
// one line on standard error that holds want.
func refusal(t *testing.T, db, want string, env ...string) {
	t.Helper()
	p := spawnKliv(t, []string{"serve", "--db", db, "--addr", freeAddr(t)}, env...)
	code := p.wait(30 * time.Second)
	out := strings.TrimSpace(p.Stderr.String())
	// The test binary may add its own lines; the refusal is the last one.
	lines := strings.Split(out, "\n")
	last := lines[len(lines)-1]
	if code != 1 || !strings.HasPrefix(last, "kliv: ") || !strings.Contains(last, want) {
		t.Fatalf("want exit 1 and one line with %q; got exit %d: %s", want, code, out)
	}
	for _, l := range lines {
		if strings.Contains(l, "kliv listening") {
			t.Fatalf("it listened before refusing: %s", out)
		}
	}
}

func TestStartRefusesNewerDatabase(t *testing.T) {
	db, _ := prepareDB(t)
	a := openExisting(t, db)
	if _, err := a.db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_from_the_future.sql', ?)",
		forum.FormatTime(time.Now())); err != nil {
		t.Fatal(err)
	}
	a.close()
	refusal(t, db, "database is newer than this kliv")
	// The other commands refuse it too, before writing anything.
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"token", "create", "--db", db, "--username", "ada"}, func(string) string { return "" }, nil, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "newer than this kliv") {
		t.Fatalf("token create on a newer database: %v", err)
	}
}

func TestStartRefusesSecondServer(t *testing.T) {
	db, _ := prepareDB(t)
	first := startServer(t, db)
	refusal(t, db, "in use by another kliv server")
	// The first one still serves.
	res, err := http.Get(first.URL + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("the first server after the refusal: %v", err)
	}
	res.Body.Close()
}

func TestStartRefusesFullDisk(t *testing.T) {
	db, _ := prepareDB(t)
	refusal(t, db, "is full", "KLIV_TEST_MIN_FREE_BYTES=18446744073709551615")
}

func TestStartRefusesReadOnlyDatabase(t *testing.T) {
	// The whole folder read-only (a read-only disk), and the file alone.
	for _, dirMode := range []os.FileMode{0o555, 0o777} {
		t.Run(dirMode.String(), func(t *testing.T) {
			db, _ := prepareDB(t)
			// A folder of our own, readable by all: as root the server
			// runs as nobody, for whom file modes count.
			dir, err := os.MkdirTemp("", "kliv-ro-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o755); os.RemoveAll(dir) })
			ro := filepath.Join(dir, "kliv.db")
			if err := copyFile(db, ro); err != nil {
				t.Fatal(err)
			}
			var env []string
			var cred *syscall.Credential
			if os.Geteuid() == 0 {
				bin := filepath.Join(dir, "kliv.test")
				if err := copyFile(os.Args[0], bin); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(bin, 0o755); err != nil {
					t.Fatal(err)
				}
				cred = &syscall.Credential{Uid: 65534, Gid: 65534}
				env = append(env, "KLIV_TEST_BIN="+bin, "HOME="+dir)
			}
			if err := os.Chmod(ro, 0o444); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, dirMode); err != nil {
				t.Fatal(err)
			}
			p := spawnKlivAs(t, cred, []string{"serve", "--db", ro, "--addr", freeAddr(t)}, env...)
			code := p.wait(30 * time.Second)
			out := strings.TrimSpace(p.Stderr.String())
			lines := strings.Split(out, "\n")
			if last := lines[len(lines)-1]; code != 1 || !strings.HasPrefix(last, "kliv: ") || !strings.Contains(last, "read-only") {
				t.Fatalf("want exit 1 and one line saying read-only; got exit %d: %s", code, out)
			}
		})
	}
}

// copyFile copies src to dst.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
