package mail

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"kliv/forum"
)

func TestLogSenderLogs(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	s, err := NewSender("", logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*LogSender); !ok {
		t.Fatalf("NewSender(\"\") = %T, want *LogSender", s)
	}
	m := &forum.OutboxMail{
		ID: 7, Kind: "password_reset", To: "asa@example.se", Subject: "Nytt lösenord",
		Body: "Följ länken: http://x/reset/abc", MessageID: "<m@x>",
		HeadersJSON: `{"List-Unsubscribe":"<http://x/u>"}`,
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"asa@example.se", "Nytt lösenord", "http://x/reset/abc", "List-Unsubscribe", "<http://x/u>", "password_reset"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestNewSenderURLs(t *testing.T) {
	for _, c := range []struct {
		url, addr, from string
		implicit        bool
		user, pass      string
		insecure        bool
	}{
		{url: "smtp://mail.example.se", addr: "mail.example.se:25", from: "kliv@mail.example.se"},
		{url: "smtp://mail.example.se:587?from=info@kliv.se", addr: "mail.example.se:587", from: "info@kliv.se"},
		{url: "smtp://u%40x:p%3Ass@mail.example.se:587/", addr: "mail.example.se:587", from: "kliv@mail.example.se", user: "u@x", pass: "p:ss"},
		{url: "smtps://mail.example.se", addr: "mail.example.se:465", from: "kliv@mail.example.se", implicit: true},
		{url: "smtp://127.0.0.1:2525?insecure_skip_verify=1&from=Kliv+%3Cnoreply@kliv.se%3E", addr: "127.0.0.1:2525", from: "noreply@kliv.se", insecure: true},
		{url: "smtp://[::1]:2525?from=a@b.se", addr: "[::1]:2525", from: "a@b.se"},
	} {
		s, err := NewSender(c.url, nil)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		ss := s.(*SMTPSender)
		if ss.addr != c.addr || ss.from.Address != c.from || ss.implicitTLS != c.implicit ||
			ss.user != c.user || ss.pass != c.pass || ss.insecure != c.insecure {
			t.Errorf("%s: got %+v", c.url, ss)
		}
	}

	for _, bad := range []string{
		"http://mail.example.se",
		"mail.example.se:25",
		"smtp://",
		"smtp://:25",
		"smtp://mail.example.se:abc",
		"smtp://mail.example.se:70000",
		"smtp://mail.example.se/path",
		"smtp:mail.example.se",
		"smtp://mail.example.se?form=a@b.se",
		"smtp://mail.example.se?from=not-an-address",
		"smtp://mail.example.se?insecure_skip_verify=maybe",
		"smtp://mail.example.se?from=%zz",
		"smtp://:hemligt@mail.example.se",
		"smtp://kliv:hemligt@mail example.se",
		"smtp://kliv:hemligt@[::1",
	} {
		s, err := NewSender(bad, nil)
		if err == nil {
			t.Errorf("%s: no error", bad)
			continue
		}
		if s != nil {
			t.Errorf("%s: non-nil sender with error", bad)
		}
		if strings.Contains(err.Error(), "hemligt") {
			t.Errorf("%s: password in error %q", bad, err)
		}
	}
}
