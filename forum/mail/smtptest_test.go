package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// testServer is an in-process SMTP server on 127.0.0.1 that speaks enough
// of the protocol for net/smtp (EHLO, HELO, STARTTLS, AUTH PLAIN, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT) and can be told to fail.
type testServer struct {
	t    *testing.T
	addr string

	// Set before Start.
	tls      *tls.Config // offers STARTTLS, or speaks TLS at once when implicit
	implicit bool
	user     string // when set, MAIL needs AUTH PLAIN as user/pass
	pass     string

	mu         sync.Mutex
	ln         net.Listener
	conns      map[net.Conn]bool
	msgs       []received
	failMail   int             // answer 451 to the next n MAIL commands
	failData   int             // answer 451 after the next n message bodies
	dropData   int             // hang up in the middle of the next n message bodies
	rejectRcpt map[string]bool // answer 550 5.1.1 to these recipients
	wg         sync.WaitGroup
}

// received is one accepted message.
type received struct {
	From     string
	To       []string
	Data     string // as sent after un-dot-stuffing, CRLF line ends kept
	BareLF   bool   // some line of DATA ended in LF without CR
	TLS      bool
	AuthUser string
}

// newTestServer returns a stopped server with a free address of its own.
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{t: t, addr: ln.Addr().String(), conns: map[net.Conn]bool{}, rejectRcpt: map[string]bool{}}
	ln.Close()
	t.Cleanup(s.Stop)
	return s
}

// startTestServer returns a running server.
func startTestServer(t *testing.T) *testServer {
	s := newTestServer(t)
	s.Start()
	return s
}

// Start listens on the server's address; after Stop it brings the server
// back where it was.
func (s *testServer) Start() {
	s.t.Helper()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
		}
	}()
}

// Stop closes the listener and every open connection, so that connecting
// is refused as with a server that is down.
func (s *testServer) Stop() {
	s.mu.Lock()
	if s.ln != nil {
		s.ln.Close()
		s.ln = nil
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Messages returns a copy of the accepted messages.
func (s *testServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// set changes failure settings under the lock.
func (s *testServer) set(f func(s *testServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// take decrements *n and reports whether it was positive.
func (s *testServer) take(n *int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *n > 0 {
		*n--
		return true
	}
	return false
}

func (s *testServer) serve(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	isTLS := false
	if s.implicit {
		tc := tls.Server(c, s.tls)
		if err := tc.Handshake(); err != nil {
			return
		}
		c, isTLS = tc, true
	}
	tp := textproto.NewConn(c)
	reply := func(format string, args ...any) { _ = tp.PrintfLine(format, args...) }
	reply("220 kliv-test ESMTP")
	var cur *received
	authUser := ""
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{"kliv-test", "PIPELINING"}
			if s.tls != nil && !isTLS {
				ext = append(ext, "STARTTLS")
			}
			if s.user != "" {
				ext = append(ext, "AUTH PLAIN")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				reply("250%s%s", sep, e)
			}
		case "HELO", "NOOP":
			reply("250 OK")
		case "STARTTLS":
			if s.tls == nil || isTLS {
				reply("502 5.5.1 not now")
				continue
			}
			reply("220 2.0.0 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, isTLS = tc, true
			tp = textproto.NewConn(c)
			cur, authUser = nil, ""
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") || s.user == "" {
				reply("504 5.5.4 unrecognised mechanism")
				continue
			}
			b, err := base64.StdEncoding.DecodeString(resp)
			if err != nil || string(b) != "\x00"+s.user+"\x00"+s.pass {
				reply("535 5.7.8 bad credentials")
				continue
			}
			authUser = s.user
			reply("235 2.7.0 welcome")
		case "MAIL":
			if s.user != "" && authUser == "" {
				reply("530 5.7.0 authentication required")
				continue
			}
			if s.take(&s.failMail) {
				reply("451 4.3.0 try again later")
				continue
			}
			cur = &received{From: addrArg(arg, "FROM:"), TLS: isTLS, AuthUser: authUser}
			reply("250 2.1.0 OK")
		case "RCPT":
			if cur == nil {
				reply("503 5.5.1 MAIL first")
				continue
			}
			to := addrArg(arg, "TO:")
			s.mu.Lock()
			rejected := s.rejectRcpt[to]
			s.mu.Unlock()
			if rejected {
				reply("550 5.1.1 no such user here")
				continue
			}
			cur.To = append(cur.To, to)
			reply("250 2.1.5 OK")
		case "DATA":
			if cur == nil || len(cur.To) == 0 {
				reply("503 5.5.1 RCPT first")
				continue
			}
			reply("354 end with <CRLF>.<CRLF>")
			drop := s.take(&s.dropData)
			var data strings.Builder
			for n := 0; ; n++ {
				l, err := tp.R.ReadString('\n')
				if err != nil {
					return
				}
				if drop && n == 2 {
					return // the deferred Close hangs up mid-message
				}
				if l == ".\r\n" {
					break
				}
				if !strings.HasSuffix(l, "\r\n") {
					cur.BareLF = true
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			if s.take(&s.failData) {
				reply("451 4.3.0 mailbox busy, try later")
				cur = nil
				continue
			}
			cur.Data = data.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, *cur)
			s.mu.Unlock()
			cur = nil
			reply("250 2.0.0 queued")
		case "RSET":
			cur = nil
			reply("250 OK")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 unknown command")
		}
	}
}

// addrArg takes the address out of "FROM:<a@b> BODY=8BITMIME".
func addrArg(arg, prefix string) string {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return ""
	}
	a := strings.TrimSpace(arg[len(prefix):])
	a, _, _ = strings.Cut(a, " ")
	return strings.Trim(a, "<>")
}

// testTLSConfig makes a self-signed certificate for 127.0.0.1.
func testTLSConfig(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "kliv-test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// url is the sender URL for this server, with extra query parameters.
func (s *testServer) url(userinfo, query string) string {
	scheme := "smtp"
	if s.implicit {
		scheme = "smtps"
	}
	u := fmt.Sprintf("%s://%s%s?from=kliv@example.se", scheme, userinfo, s.addr)
	if query != "" {
		u += "&" + query
	}
	return u
}
