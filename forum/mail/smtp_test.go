package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

// smtpWorker builds a Worker that sends through the test server.
func smtpWorker(t *testing.T, srv *testServer, userinfo, query string) (*Worker, *fakeClock) {
	t.Helper()
	db, _ := newDB(t)
	s, err := NewSender(srv.url(userinfo, query), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.(*SMTPSender).timeout = 5 * time.Second
	clk := newClock()
	return &Worker{DB: db, Sender: s, Now: clk.Now}, clk
}

func TestSMTPDeliversSwedishMail(t *testing.T) {
	srv := startTestServer(t)
	w, clk := smtpWorker(t, srv, "", "")
	subject := "Välkommen till Kliv! Din ansökan om medlemskap är godkänd – nu kan du läsa och skriva i alla trådar på forumet"
	body := "Hej Åsa!\n\nDin ansökan är godkänd.\n.\n.En rad som börjar med punkt.\n" +
		"Rad med blanksteg på slutet   \n" + strings.Repeat("lång rad med åäö ", 12) + "\nHälsningar\nKliv"
	id := enqueue(t, w.DB, clk, forum.Mail{
		To: "Åsa Öberg <asa@example.se>", Subject: subject, Body: body,
		Headers: map[string]string{
			"List-Unsubscribe":      "<http://x/avregistrera/abc>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
	})
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d, want 1 (last_error %q)", n, row(t, w.DB, id).LastError)
	}
	r := row(t, w.DB, id)
	if r.Status != "sent" {
		t.Fatalf("status %s", r.Status)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages", len(msgs))
	}
	got := msgs[0]
	if got.From != "kliv@example.se" || len(got.To) != 1 || got.To[0] != "asa@example.se" {
		t.Fatalf("envelope %q → %q", got.From, got.To)
	}
	if got.BareLF {
		t.Fatal("a line ended in bare LF")
	}
	head, _, _ := strings.Cut(got.Data, "\r\n\r\n")
	for _, l := range strings.Split(head, "\r\n") {
		if len(l) > 78 {
			t.Errorf("header line of %d characters: %q", len(l), l)
		}
	}

	pm, err := netmail.ReadMessage(strings.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	gotSubject, err := dec.DecodeHeader(pm.Header.Get("Subject"))
	if err != nil || gotSubject != subject {
		t.Fatalf("subject %q (%v), want %q", gotSubject, err, subject)
	}
	if raw := pm.Header.Get("Subject"); !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Fatalf("subject not Q-encoded: %q", raw)
	}
	to, err := pm.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Åsa Öberg" || to[0].Address != "asa@example.se" {
		t.Fatalf("To %v (%v)", to, err)
	}
	for name, want := range map[string]string{
		"From":                      "<kliv@example.se>",
		"Message-Id":                r.MessageID,
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"List-Unsubscribe":          "<http://x/avregistrera/abc>",
		"List-Unsubscribe-Post":     "List-Unsubscribe=One-Click",
		"Auto-Submitted":            "auto-generated",
	} {
		if got := pm.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if d, err := pm.Header.Date(); err != nil || !d.Equal(d.Truncate(time.Second)) || time.Since(d) > time.Minute {
		t.Errorf("Date %v (%v)", d, err)
	}
	raw, err := io.ReadAll(pm.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 76 {
			t.Errorf("body line of %d characters", len(l))
		}
	}
	decoded, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"; string(decoded) != want {
		t.Fatalf("body\n%q\nwant\n%q", decoded, want)
	}
}

// While the server is down nothing is lost: the row waits with a growing
// backoff and goes out once when the server is back.
func TestSMTPOutageRetriedAfterServerReturns(t *testing.T) {
	srv := newTestServer(t) // not started: connections are refused
	srv.user, srv.pass = "kliv", "hemligt"
	w, clk := smtpWorker(t, srv, "kliv:hemligt@", "")
	id := enqueue(t, w.DB, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})

	for attempt, wait := range []time.Duration{30 * time.Second, time.Minute} {
		start := clk.Now()
		if n := sendDue(t, w); n != 0 {
			t.Fatalf("sent %d with the server down", n)
		}
		m := row(t, w.DB, id)
		if m.Status != "queued" || m.Attempts != attempt+1 || m.LastError == "" {
			t.Fatalf("status %s attempts %d error %q", m.Status, m.Attempts, m.LastError)
		}
		if strings.Contains(m.LastError, "hemligt") {
			t.Fatalf("password in last_error: %q", m.LastError)
		}
		if d := m.SendAfter.Sub(start); d > wait || d < wait*9/10 {
			t.Fatalf("retry after %v, want about %v", d, wait)
		}
		clk.Advance(wait / 2)
		if n := sendDue(t, w); n != 0 {
			t.Fatal("retried before the backoff ran out")
		}
		clk.Advance(wait / 2)
	}
	srv.Start()
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d after the server returned (last_error %q)", n, row(t, w.DB, id).LastError)
	}
	clk.Advance(time.Hour)
	sendDue(t, w)
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].AuthUser != "kliv" {
		t.Fatalf("server got %d messages: %+v", len(msgs), msgs)
	}
	if m := row(t, w.DB, id); m.Status != "sent" || m.Attempts != 3 {
		t.Fatalf("status %s attempts %d", m.Status, m.Attempts)
	}
}

func TestSMTPTemporaryFailuresRetried(t *testing.T) {
	srv := startTestServer(t)
	srv.set(func(s *testServer) { s.failMail, s.failData = 1, 1 })
	w, clk := smtpWorker(t, srv, "", "")
	id := enqueue(t, w.DB, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})

	for _, wantErr := range []string{"MAIL FROM: 451", "end of DATA: 451"} {
		sendDue(t, w)
		m := row(t, w.DB, id)
		if m.Status != "queued" || !strings.Contains(m.LastError, wantErr) {
			t.Fatalf("status %s error %q, want %q", m.Status, m.LastError, wantErr)
		}
		clk.Advance(10 * time.Minute)
	}
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d", n)
	}
	if msgs := srv.Messages(); len(msgs) != 1 {
		t.Fatalf("server got %d messages", len(msgs))
	}
}

func TestSMTPDropMidDataRetried(t *testing.T) {
	srv := startTestServer(t)
	srv.set(func(s *testServer) { s.dropData = 1 })
	w, clk := smtpWorker(t, srv, "", "")
	id := enqueue(t, w.DB, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: strings.Repeat("rad\n", 50)})
	sendDue(t, w)
	if m := row(t, w.DB, id); m.Status != "queued" || m.Attempts != 1 || m.LastError == "" {
		t.Fatalf("status %s attempts %d error %q", m.Status, m.Attempts, m.LastError)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("the server kept a cut-off message")
	}
	clk.Advance(30 * time.Second)
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d on retry (last_error %q)", n, row(t, w.DB, id).LastError)
	}
	if len(srv.Messages()) != 1 {
		t.Fatalf("server got %d messages", len(srv.Messages()))
	}
}

func TestSMTPRecipientRejectedFailsAtOnce(t *testing.T) {
	srv := startTestServer(t)
	srv.set(func(s *testServer) { s.rejectRcpt["nobody@example.se"] = true })
	w, clk := smtpWorker(t, srv, "", "")
	bad := enqueue(t, w.DB, clk, forum.Mail{To: "nobody@example.se", Subject: "Hej", Body: "text"})
	good := enqueue(t, w.DB, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	if m := row(t, w.DB, bad); m.Status != "failed" || m.Attempts != 1 || !strings.Contains(m.LastError, "550") || !strings.Contains(m.LastError, "no such user") {
		t.Fatalf("status %s attempts %d error %q", m.Status, m.Attempts, m.LastError)
	}
	if m := row(t, w.DB, good); m.Status != "sent" {
		t.Fatalf("good row %s", m.Status)
	}
}

func TestSMTPHeaderInjectionDropped(t *testing.T) {
	srv := startTestServer(t)
	w, clk := smtpWorker(t, srv, "", "")
	enqueue(t, w.DB, clk, forum.Mail{
		To: "a@example.se", Subject: "Hej\r\nBcc: victim@example.se", Body: "text",
		Headers: map[string]string{
			"List-Unsubscribe": "<http://x/u>",
			"X-Evil":           "ok\r\nBcc: victim@example.se",
			"X-Evil-Lf":        "ok\nBcc: victim@example.se",
			"From":             "spoof@example.se",
		},
	})
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d", n)
	}
	got := srv.Messages()[0]
	if len(got.To) != 1 || got.To[0] != "a@example.se" {
		t.Fatalf("recipients %v", got.To)
	}
	pm, err := netmail.ReadMessage(strings.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Bcc", "X-Evil", "X-Evil-Lf"} {
		if v, ok := pm.Header[name]; ok {
			t.Errorf("header %s present: %q", name, v)
		}
	}
	if from := pm.Header["From"]; len(from) != 1 || from[0] != "<kliv@example.se>" {
		t.Errorf("From %q", from)
	}
	if pm.Header.Get("List-Unsubscribe") != "<http://x/u>" {
		t.Error("the safe header was dropped too")
	}
	if s := pm.Header.Get("Subject"); s != "Hej  Bcc: victim@example.se" {
		t.Errorf("subject %q", s)
	}
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	srv := newTestServer(t)
	srv.tls = testTLSConfig(t)
	srv.user, srv.pass = "kliv", "hemligt"
	srv.Start()
	w, clk := smtpWorker(t, srv, "kliv:hemligt@", "insecure_skip_verify=1")
	enqueue(t, w.DB, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d", n)
	}
	if got := srv.Messages()[0]; !got.TLS || got.AuthUser != "kliv" {
		t.Fatalf("TLS %v user %q", got.TLS, got.AuthUser)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	srv := newTestServer(t)
	srv.tls = testTLSConfig(t)
	srv.implicit = true
	srv.Start()
	w, clk := smtpWorker(t, srv, "", "insecure_skip_verify=1")
	enqueue(t, w.DB, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	if n := sendDue(t, w); n != 1 {
		t.Fatalf("sent %d", n)
	}
	if got := srv.Messages()[0]; !got.TLS {
		t.Fatal("not over TLS")
	}
}

// Without insecure_skip_verify a self-signed certificate is refused, and
// the password is never sent.
func TestSMTPVerifiesCertificate(t *testing.T) {
	srv := newTestServer(t)
	srv.tls = testTLSConfig(t)
	srv.user, srv.pass = "kliv", "hemligt"
	srv.Start()
	w, clk := smtpWorker(t, srv, "kliv:hemligt@", "")
	id := enqueue(t, w.DB, clk, forum.Mail{To: "a@example.se", Subject: "Hej", Body: "text"})
	sendDue(t, w)
	if m := row(t, w.DB, id); m.Status != "queued" || !strings.Contains(m.LastError, "STARTTLS") {
		t.Fatalf("status %s error %q", m.Status, m.LastError)
	}
	if len(srv.Messages()) != 0 {
		t.Fatal("sent over an unverified connection")
	}
}

// A server that accepts and then says nothing must not hold the worker:
// the context's end interrupts net/smtp's blocked read.
func TestSMTPSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the listener closes
		}
	}()
	s, err := NewSender("smtp://"+ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	m := &forum.OutboxMail{To: "a@example.se", Subject: "Hej", Body: "text", HeadersJSON: "{}", MessageID: "<a@x>"}
	start := time.Now()
	err = s.Send(ctx, m)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send: %v, want the deadline", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Send took %v", d)
	}
}

func TestAuthAllowed(t *testing.T) {
	for _, c := range []struct {
		tls  bool
		host string
		want bool
	}{
		{false, "localhost", true},
		{false, "127.0.0.1", true},
		{false, "::1", true},
		{false, "smtp.example.se", false},
		{false, "192.0.2.1", false},
		{true, "smtp.example.se", true},
	} {
		if got := authAllowed(c.tls, c.host); got != c.want {
			t.Errorf("authAllowed(%v, %q) = %v", c.tls, c.host, got)
		}
	}
}
