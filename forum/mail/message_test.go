package mail

import (
	"bytes"
	"errors"
	"mime"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"kliv/forum"
)

func testMail(headers string) *forum.OutboxMail {
	return &forum.OutboxMail{
		To: "a@example.se", Subject: "Hej", Body: "text",
		HeadersJSON: headers, MessageID: "<abc@x>",
	}
}

func TestBuildMessageDropsUnsafeHeaders(t *testing.T) {
	from := &netmail.Address{Name: "Kliv", Address: "kliv@example.se"}
	m := testMail(`{
		"List-Unsubscribe": "<http://x/u>, <mailto:u@x>",
		"X-CR": "a\rBcc: v@x", "X-LF": "a\nBcc: v@x", "X-Nul": "a\u0000b",
		"Bad Name": "v", "Bad:Name": "v", "": "v",
		"Content-Type": "text/html", "bcc": "v@x", "Message-ID": "<other@x>"
	}`)
	msg, err := buildMessage(m, from, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"", "Bad Name", "Bad:Name", "Content-Type", "Message-ID", "X-CR", "X-LF", "X-Nul", "bcc"}
	if strings.Join(msg.dropped, "|") != strings.Join(want, "|") {
		t.Fatalf("dropped %q, want %q", msg.dropped, want)
	}
	pm, err := netmail.ReadMessage(bytes.NewReader(msg.data))
	if err != nil {
		t.Fatal(err)
	}
	if len(pm.Header) != 10 {
		t.Errorf("%d header fields: %v", len(pm.Header), pm.Header)
	}
	if pm.Header.Get("Content-Type") != "text/plain; charset=utf-8" || pm.Header.Get("Message-Id") != "<abc@x>" {
		t.Errorf("an extra header replaced a fixed one: %v", pm.Header)
	}
	if pm.Header.Get("From") != `"Kliv" <kliv@example.se>` {
		t.Errorf("From %q", pm.Header.Get("From"))
	}
	for _, l := range bytes.Split(msg.data, []byte("\r\n")) {
		if bytes.ContainsAny(l, "\r\n") {
			t.Fatalf("stray CR or LF in line %q", l)
		}
	}
}

func TestBuildMessageEncodesNonASCIIHeaders(t *testing.T) {
	from := &netmail.Address{Name: "Kliv – Förbundet", Address: "kliv@example.se"}
	m := testMail(`{"X-Rubrik": "Årsmöte"}`)
	msg, err := buildMessage(m, from, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range msg.data {
		if c >= 0x80 {
			t.Fatalf("8-bit byte in message:\n%s", msg.data)
		}
	}
	pm, err := netmail.ReadMessage(bytes.NewReader(msg.data))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	if v, _ := dec.DecodeHeader(pm.Header.Get("X-Rubrik")); v != "Årsmöte" {
		t.Errorf("X-Rubrik %q", v)
	}
	if a, err := pm.Header.AddressList("From"); err != nil || a[0].Name != "Kliv – Förbundet" {
		t.Errorf("From %v %v", a, err)
	}
}

func TestBuildMessageBadAddressIsPermanent(t *testing.T) {
	from := &netmail.Address{Address: "kliv@example.se"}
	for _, to := range []string{"not an address", "a@example.se\r\nBcc: v@x", ""} {
		m := testMail("{}")
		m.To = to
		if _, err := buildMessage(m, from, time.Now()); !errors.Is(err, ErrPermanent) {
			t.Errorf("To %q: %v, want ErrPermanent", to, err)
		}
	}
	m := testMail("{}")
	m.MessageID = "<a@x>\r\nBcc: v@x"
	if _, err := buildMessage(m, from, time.Now()); !errors.Is(err, ErrPermanent) {
		t.Errorf("bad Message-ID: %v", err)
	}
}

func TestWriteHeaderFolds(t *testing.T) {
	var b bytes.Buffer
	value := strings.TrimSpace(strings.Repeat("ord ", 40))
	writeHeader(&b, "Subject", value)
	out := b.String()
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatal("no CRLF at the end")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	if len(lines) < 2 {
		t.Fatalf("not folded: %q", out)
	}
	for i, l := range lines {
		if len(l) > 78 || (i > 0 && !strings.HasPrefix(l, " ")) || strings.TrimSpace(l) == "" {
			t.Fatalf("line %d: %q", i, l)
		}
	}
	unfolded := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n", "")
	if unfolded != "Subject: "+value {
		t.Fatalf("unfolds to %q", unfolded)
	}
}
