package markdown

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

func patho() map[string]string {
	m := map[string]string{}
	const N = 50000
	fit := func(unit string, tail string) string {
		n := (N - len(tail)) / len(unit)
		return strings.Repeat(unit, n) + tail
	}
	m["nested strong emph"] = strings.Repeat("*a **a ", 3500) + "b" + strings.Repeat(" a** a*", 3500)
	m["emph closers"] = fit("a_ ", "")
	m["emph openers"] = fit("_a ", "")
	m["3-emph"] = fit("a***", "")
	m["*a**a***"] = func() string { var b strings.Builder; for i := 1; b.Len() < N; i++ { b.WriteString("a"); b.WriteString(strings.Repeat("*", i%40)) }; return b.String() }()
	m["star-a"] = fit("*a**", "")
	m["link closers"] = fit("a]", "")
	m["link openers"] = fit("[a", "")
	m["mismatched"] = fit("*a_ ", "")
	m["mult3"] = "a**b" + fit("c* ", "")
	m["link open emph close"] = fit("[ a_", "")
	m["[ (]("] = fit("[ (](", "")
	m["![[]()"] = fit("![[]()", "")
	m["nested brackets"] = strings.Repeat("[", 25000) + "a" + strings.Repeat("]", 24990)
	m["nested blockquote"] = fit("> ", "a")
	m["nested blockquote lines"] = func() string { var b strings.Builder; for i := 0; b.Len() < N; i++ { b.WriteString(strings.Repeat(">", i)); b.WriteString(" a\n") }; return b.String() }()
	m["nested list indent"] = func() string { var b strings.Builder; for i := 0; b.Len() < N; i++ { b.WriteString(strings.Repeat(" ", 2*i)); b.WriteString("* a\n") }; return b.String() }()
	m["- - - -"] = fit("- ", "a")
	m["1. 1. 1."] = fit("1. ", "a")
	m["backticks"] = func() string { var b strings.Builder; for i := 1; b.Len() < N; i++ { b.WriteString("e"); b.WriteString(strings.Repeat("`", i)) }; return b.String() }()
	m["unclosed links A"] = fit("[a](<b", "")
	m["unclosed links B"] = fit("[a](b", "")
	m["[a](<<<<"] = "[a](" + fit("<", "")
	m["unclosed comment"] = "</" + fit("<!--", "")
	m["refs"] = func() string { var b strings.Builder; for i := 0; b.Len() < N-200; i++ { fmt.Fprintf(&b, "[%d]: u\n", i) }; for i := 0; i < 20; i++ { fmt.Fprintf(&b, "[%d] ", i) }; return b.String() }()
	m["ref use"] = func() string { var b strings.Builder; b.WriteString("[a]: /u\n\n"); for b.Len() < N { b.WriteString("[a][a] ") }; return b.String() }()
	m["table cols"] = "|" + strings.Repeat("a|", 3000) + "\n|" + strings.Repeat("-|", 3000) + "\n" + strings.Repeat("|\n", 15000)
	m["autolinks"] = fit("www.a.b ", "")
	m["www no end"] = fit("www.a", "")
	m["emails"] = fit("a@b.c ", "")
	m["at"] = fit("@aaa ", "")
	m["html tags"] = fit("<a ", "")
	m["html attrs"] = "<a " + fit("b=c ", "")
	m["entity"] = fit("&#1", "")
	m["tildes"] = fit("~a~~", "")
	m["strike open"] = fit("~~a ", "")
	m["emph underscores"] = fit("_a__", "")
	m["link in link"] = fit("[[a](b)", "")
	m["images nest"] = fit("![", "") 
	m["table rows"] = "a|b\n-|-\n" + fit("c|d\n", "")
	m["table tab"] = fit("aaa\rbbb\n-\v\n", "")
	m["lazy quote"] = fit("> a\nb\n", "")
	m["setext"] = fit("a\n=\n", "")
	m["list items"] = fit("- a\n", "")
	m["fenced"] = fit("```\n", "")
	return m
}

func TestProtoPatho(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	for name, src := range patho() {
		var buf bytes.Buffer
		start := time.Now()
		done := make(chan struct{})
		go func() { md.Convert([]byte(src), &buf); close(done) }()
		select {
		case <-done:
			t.Logf("%-25s len=%6d  %v out=%d", name, len(src), time.Since(start), buf.Len())
		case <-time.After(20 * time.Second):
			t.Logf("%-25s len=%6d  TIMEOUT >20s", name, len(src))
		}
	}
}
