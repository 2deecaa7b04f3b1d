package mail

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"kliv/forum"
)

// maxHeaderLine is the line length RFC 5322 asks header fields to be folded
// to; 998 is the hard limit that servers may enforce by rejecting the mail.
const (
	maxHeaderLine     = 78
	maxHeaderLineHard = 998
)

// message is one outbox row rendered for the wire.
type message struct {
	// to is the envelope recipient: the bare address from the To field.
	to string
	// data is the RFC 5322 message with CRLF line ends, not yet dot-stuffed.
	data []byte
	// dropped names the extra headers left out as unsafe.
	dropped []string
}

// buildMessage renders m as an RFC 5322 message from from, dated date. The
// body goes out as quoted-printable UTF-8 and the subject as RFC 2047
// encoded-words, so the whole message is 7-bit and survives any relay. An
// address that cannot be parsed is a permanent error: retrying cannot fix it.
func buildMessage(m *forum.OutboxMail, from *netmail.Address, date time.Time) (*message, error) {
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("%w: recipient address: %w", ErrPermanent, err)
	}
	if !validMessageID(m.MessageID) {
		return nil, fmt.Errorf("%w: malformed Message-ID", ErrPermanent)
	}
	msg := &message{to: to.Address}
	var b bytes.Buffer
	writeHeader(&b, "From", from.String())
	writeHeader(&b, "To", to.String())
	writeHeader(&b, "Subject", mime.QEncoding.Encode("utf-8", cleanText(m.Subject)))
	writeHeader(&b, "Date", date.Format(time.RFC1123Z))
	// The row's own Message-ID, so that a copy sent again after a crash
	// between sending and recording is recognisably the same message.
	writeHeader(&b, "Message-ID", m.MessageID)
	writeHeader(&b, "MIME-Version", "1.0")
	writeHeader(&b, "Content-Type", "text/plain; charset=utf-8")
	writeHeader(&b, "Content-Transfer-Encoding", "quoted-printable")

	extra := m.Header()
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	sort.Strings(names) // a stable order keeps messages comparable in tests and logs
	autoSubmitted := false
	for _, name := range names {
		value := extra[name]
		if !safeHeader(name, value) {
			msg.dropped = append(msg.dropped, name)
			continue
		}
		if strings.EqualFold(name, "Auto-Submitted") {
			autoSubmitted = true
		}
		writeHeader(&b, name, mime.QEncoding.Encode("utf-8", value))
	}
	if !autoSubmitted {
		// RFC 3834: keeps vacation responders from answering notifications.
		writeHeader(&b, "Auto-Submitted", "auto-generated")
	}
	b.WriteString("\r\n")

	// Quoted-printable turns LF and CRLF alike into CRLF, encodes trailing
	// spaces and wraps long lines at 76, so the body needs no other care;
	// dot-stuffing is left to the SMTP data writer.
	qp := quotedprintable.NewWriter(&b)
	body := strings.ToValidUTF8(m.Body, "\uFFFD")
	if _, err := qp.Write([]byte(body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	msg.data = b.Bytes()
	return msg, nil
}

// reservedHeader reports whether name is one that buildMessage writes itself
// or one that an extra header must never set: a second From or Content-Type
// makes clients guess, and Cc/Bcc fields would name people the envelope
// does not send to.
func reservedHeader(name string) bool {
	switch strings.ToLower(name) {
	case "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version",
		"content-type", "content-transfer-encoding", "sender", "return-path", "received":
		return true
	}
	return false
}

// safeHeader reports whether an extra header may be written. A value with CR
// or LF would let whoever controls it add header fields (Bcc: …) or end the
// header block early, so such a field is dropped rather than repaired.
func safeHeader(name, value string) bool {
	if name == "" || reservedHeader(name) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	if !utf8.ValidString(value) || len(name)+2+len(value) > maxHeaderLineHard-100 {
		return false
	}
	for _, r := range value {
		if r == '\r' || r == '\n' || (r < ' ' && r != '\t') || r == 0x7f {
			return false
		}
	}
	return true
}

// validMessageID checks the shape Enqueue gives message ids: <left@right>
// with no whitespace or control characters.
func validMessageID(id string) bool {
	if len(id) < 5 || id[0] != '<' || id[len(id)-1] != '>' || !strings.Contains(id, "@") {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// cleanText makes s safe for an unstructured header: control characters,
// CR and LF included, become spaces, so a subject can never start a new field.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// writeHeader writes one field, folded before spaces so that lines stay
// within 78 characters where the value allows it. Folding only adds CRLF in
// front of existing whitespace, which unfolding removes again, and the
// whitespace between encoded-words is not part of the decoded text.
func writeHeader(b *bytes.Buffer, name, value string) {
	line := name + ":"
	for _, word := range strings.Split(value, " ") {
		// A fold needs text after it: a line of only whitespace is obsolete
		// syntax that strict parsers reject. Folding right after the colon
		// is allowed, and needed when an encoded-word, up to 75 characters
		// long, would not fit behind "Subject: ".
		if word != "" && line != "" && len(line)+1+len(word) > maxHeaderLine {
			b.WriteString(line)
			b.WriteString("\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
