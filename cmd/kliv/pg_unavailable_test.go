package main

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"

	"kliv/forum"
	"kliv/forum/dbtest"
)

// cutProxy forwards TCP connections to a PostgreSQL server until it is
// cut: then every open connection is closed and new ones are dropped at
// once, as when the server or the network goes away.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *cutProxy) serve(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.mu.Unlock()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, s)
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close() }()
	io.Copy(c, s)
	c.Close()
}

// cut closes every connection and refuses new ones until restore.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// TestPGServerGoneAway: while PostgreSQL cannot be reached, pages and
// the API answer 503 with Retry-After, a write is refused (never a 2xx
// for something not saved), and when the server is back reads work
// again by themselves and everything acknowledged is there.
func TestPGServerGoneAway(t *testing.T) {
	dbtest.OnlyPG(t)
	var proxy *cutProxy
	a := newTestApp(t, func(c *Config) {
		u, err := url.Parse(c.DB)
		if err != nil {
			t.Fatal(err)
		}
		proxy = newCutProxy(t, u.Host)
		u.Host = proxy.ln.Addr().String()
		c.DB = u.String()
	})
	ada := mustCreateMember(t, a, "ada", forum.RoleMember, forum.StatusApproved)
	tp := mustTopic(t, a, ada, forum.NewTopic{Title: "Bemanning i sommar"})
	c := clientFor(t, a, "ada")
	c.Allow503 = true
	topic := fmt.Sprintf("/t/%d", tp.ID)
	c.get(topic).wantStatus(200)
	c.postForm(topic+"/reply", url.Values{"body": {"Svaret före avbrottet"}}).wantStatus(303)

	proxy.cut()
	r := c.get(topic)
	r.wantStatus(503)
	if r.Header.Get("Retry-After") == "" {
		t.Error("page 503 without Retry-After")
	}
	// Her session cannot be looked up either, so the refusal comes
	// before the form (unlike a full disk, where reads still work).
	r = c.postForm(topic+"/reply", url.Values{"body": {"Svaret under avbrottet"}})
	r.wantStatus(503)
	if r.Header.Get("Retry-After") == "" {
		t.Error("form 503 without Retry-After")
	}
	r = c.api("GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil)
	r.wantStatus(503)
	if r.Header.Get("Retry-After") == "" {
		t.Error("API 503 without Retry-After")
	}

	proxy.restore()
	r = c.get(topic)
	r.wantStatus(200).contains("Svaret före avbrottet")
	if strings.Contains(r.Body, "Svaret under avbrottet") {
		t.Error("the reply refused with a 503 was saved after all")
	}
	c.postForm(topic+"/reply", url.Values{"body": {"Svaret efter avbrottet"}}).wantStatus(303)
	c.get(topic).wantStatus(200).contains("Svaret före avbrottet", "Svaret efter avbrottet")
}
