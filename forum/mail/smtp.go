package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"kliv/forum"
)

// defaultSMTPTimeout bounds one whole delivery, connect to QUIT, so a server
// that stops answering cannot hold the worker past its claim's lease.
const defaultSMTPTimeout = time.Minute

// SMTPSender sends through an SMTP server, one connection per message.
//
// URL forms:
//
//	smtp://[user:pass@]host[:port][?from=addr]   port 25 by default
//	smtps://[user:pass@]host[:port][?from=addr]  implicit TLS, port 465 by default
//
// With smtp:// the connection is upgraded with STARTTLS when the server
// offers it. AUTH PLAIN is used when a user is given, and only over TLS or to
// a loopback host, so a password never crosses a network in clear. from
// defaults to "kliv@<host>" and may carry a name: "Kliv <kliv@example.se>".
// Query ?insecure_skip_verify=1 skips certificate checks (for tests) and
// ?helo=name sets the EHLO name (the machine's host name by default).
type SMTPSender struct {
	addr        string // host:port to dial
	host        string // server name for TLS and the loopback check
	implicitTLS bool
	user, pass  string
	from        *netmail.Address
	helo        string
	insecure    bool
	timeout     time.Duration
	now         func() time.Time
	logger      *slog.Logger
}

// newSMTPSender parses a KLIV_SMTP URL. Its errors never repeat the URL,
// which may hold a password.
func newSMTPSender(rawURL string, logger *slog.Logger) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the whole URL, password and all
		}
		return nil, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	s := &SMTPSender{timeout: defaultSMTPTimeout, now: time.Now, logger: logger}
	if s.logger == nil {
		s.logger = discard()
	}
	port := "25"
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.implicitTLS = true
		port = "465"
	default:
		return nil, fmt.Errorf("mail: SMTP URL: scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return nil, errors.New("mail: SMTP URL: want smtp://[user:pass@]host[:port][?from=addr]")
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("mail: SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL: bad port %q", p)
		}
		port = p
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return nil, errors.New("mail: SMTP URL: password without user")
		}
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: query: %w", err)
	}
	from := "kliv@" + s.host
	for key, vals := range q {
		v := vals[len(vals)-1]
		switch key {
		case "from":
			from = v
		case "helo":
			s.helo = v
		case "insecure_skip_verify":
			switch v {
			case "1", "true":
				s.insecure = true
			case "0", "false", "":
			default:
				return nil, fmt.Errorf("mail: SMTP URL: insecure_skip_verify=%q: want 1 or 0", v)
			}
		default:
			// A typo such as ?form= would otherwise go unnoticed until the
			// first mail bounces.
			return nil, fmt.Errorf("mail: SMTP URL: unknown parameter %q", key)
		}
	}
	s.from, err = netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: from address %q: %w", from, err)
	}
	if s.helo == "" {
		s.helo = "localhost"
		if h, err := os.Hostname(); err == nil && h != "" {
			s.helo = h
		}
	}
	if strings.ContainsAny(s.helo, " \r\n") {
		return nil, fmt.Errorf("mail: SMTP URL: bad helo name %q", s.helo)
	}
	return s, nil
}

// Send delivers m in one SMTP session. A 5xx rejection of the recipient is
// wrapped in ErrPermanent; every other failure is worth a retry.
func (s *SMTPSender) Send(ctx context.Context, m *forum.OutboxMail) error {
	msg, err := buildMessage(m, s.from, s.now())
	if err != nil {
		return err
	}
	if len(msg.dropped) > 0 {
		// Names only: a value may be what someone tried to inject.
		s.logger.WarnContext(ctx, "mail: dropped unsafe headers", "id", m.ID, "headers", msg.dropped)
	}

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("smtp connect %s: %w", s.addr, err)
	}
	// net/smtp knows no context: closing the connection is what interrupts
	// a blocked read or write, a silent server included. The connection's
	// own deadline is only a backstop, set a little later so that the
	// context, once done, explains the error.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl.Add(time.Second))
	}
	err = s.session(ctx, conn, msg)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("smtp %s: %w (%w)", s.addr, ctx.Err(), err)
	}
	return err
}

// session speaks SMTP over conn, which it closes.
func (s *SMTPSender) session(ctx context.Context, conn net.Conn, msg *message) error {
	tlsConfig := &tls.Config{ServerName: s.host, InsecureSkipVerify: s.insecure}
	if s.implicitTLS {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("smtps %s: TLS: %w", s.addr, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: greeting: %w", s.addr, err)
	}
	defer c.Close()
	if err := c.Hello(s.helo); err != nil {
		return fmt.Errorf("smtp %s: EHLO: %w", s.addr, err)
	}
	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("smtp %s: STARTTLS: %w", s.addr, err)
			}
		}
	}
	if s.user != "" {
		_, isTLS := c.TLSConnectionState()
		if !authAllowed(isTLS, s.host) {
			return fmt.Errorf("smtp %s: refusing to send the password without TLS; the server offers no STARTTLS", s.addr)
		}
		if ok, mechs := c.Extension("AUTH"); !ok || !hasWord(mechs, "PLAIN") {
			return fmt.Errorf("smtp %s: server does not offer AUTH PLAIN", s.addr)
		}
		if err := c.Auth(plainAuth{user: s.user, pass: s.pass}); err != nil {
			return fmt.Errorf("smtp %s: AUTH: %w", s.addr, err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("smtp %s: MAIL FROM: %w", s.addr, err)
	}
	if err := c.Rcpt(msg.to); err != nil {
		if recipientRejected(err) {
			return fmt.Errorf("%w: smtp %s: RCPT TO: %w", ErrPermanent, s.addr, err)
		}
		return fmt.Errorf("smtp %s: RCPT TO: %w", s.addr, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", s.addr, err)
	}
	if _, err := w.Write(msg.data); err != nil {
		return fmt.Errorf("smtp %s: DATA: %w", s.addr, err)
	}
	// Close sends the final dot and reads the server's verdict: only a
	// success here means the message was accepted.
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: end of DATA: %w", s.addr, err)
	}
	// The message is accepted; a failed QUIT must not make it look unsent.
	_ = c.Quit()
	return nil
}

// authAllowed reports whether a password may be sent: over TLS, or to this
// machine, where it crosses no network.
func authAllowed(isTLS bool, host string) bool {
	if isTLS || strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// recipientRejected reports whether err is a permanent refusal of the
// recipient (unknown user, bad mailbox or domain). Policy refusals (5.7.x,
// such as "relaying denied") are left to retry: they say more about our
// configuration than about the address, and failing them at once would
// throw away every queued message.
func recipientRejected(err error) bool {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return false
	}
	switch te.Code {
	case 501, 550, 551, 553:
		return !strings.HasPrefix(te.Msg, "5.7.")
	}
	return false
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

// plainAuth is AUTH PLAIN (RFC 4616). net/smtp has one, but its own
// localhost check differs from authAllowed; this one leaves the decision to
// Send.
type plainAuth struct{ user, pass string }

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge during AUTH PLAIN")
	}
	return nil, nil
}
