package markdown

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// forbidden must never appear in Render's output, neither as written nor
// after decoding HTML entities.
var forbidden = []string{"<script", "javascript:", "onerror", "onload", "onclick", "vbscript:", "data:text"}

// allowedOutput is what Render may emit: element -> allowed attributes. It is
// written independently of the production policy on purpose, so a mistake in
// the policy cannot hide itself here.
var allowedOutput = map[string]map[string]bool{
	"p": {}, "br": {}, "hr": {}, "blockquote": {},
	"h1": {}, "h2": {}, "h3": {}, "h4": {}, "h5": {}, "h6": {},
	"em": {}, "strong": {}, "del": {}, "pre": {},
	"code": {"class": true},
	"ul":   {}, "ol": {"start": true}, "li": {},
	"table": {}, "thead": {}, "tbody": {}, "tr": {},
	"th": {"align": true}, "td": {"align": true},
	"a":     {"href": true, "title": true, "rel": true, "class": true},
	"img":   {"src": true, "alt": true, "title": true},
	"input": {"type": true, "checked": true, "disabled": true},
}

// checkMarkup verifies the structure of out: only allowed elements and
// attributes (so no event handler or style attribute), no comments, every
// link with the right rel and a URL whose scheme – after decoding entities
// and percent-escapes again and again – is http, https, mailto or none,
// every image from http(s), every input a disabled checkbox. It does not
// look at text – including title and alt values, which are text inside
// quotes – since a member may legitimately write "javascript:"; and it
// allows "onclick" inside a URL ("/t/onclick-handlers"), which is just text
// there too. checkNoForbidden is the strict check for the hostile table.
func checkMarkup(out string) error {
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return nil
			}
			return z.Err()
		case html.CommentToken, html.DoctypeToken:
			return fmt.Errorf("comment or doctype in output: %q", z.Raw())
		case html.TextToken:
			continue
		}
		raw := string(z.Raw())
		tok := z.Token()
		attrs, ok := allowedOutput[tok.Data]
		if !ok {
			return fmt.Errorf("element <%s> not allowed: %q", tok.Data, raw)
		}
		if tt == html.EndTagToken {
			continue
		}
		got := map[string]string{}
		for _, a := range tok.Attr {
			if !attrs[a.Key] {
				return fmt.Errorf("attribute %s on <%s> not allowed: %q", a.Key, tok.Data, raw)
			}
			got[a.Key] = a.Val
		}
		switch tok.Data {
		case "a":
			if got["rel"] != "nofollow ugc noopener" {
				return fmt.Errorf("link without rel=\"nofollow ugc noopener\": %q", raw)
			}
			if !testLinkURLOK(got["href"]) {
				return fmt.Errorf("unsafe link URL: %q", raw)
			}
			if c, ok := got["class"]; ok && (c != "mention" || !strings.HasPrefix(got["href"], "/u/")) {
				return fmt.Errorf("class on a non-mention link: %q", raw)
			}
		case "img":
			if !testImageURLOK(got["src"]) {
				return fmt.Errorf("unsafe image URL: %q", raw)
			}
		case "input":
			if _, ok := got["disabled"]; !ok || got["type"] != "checkbox" {
				return fmt.Errorf("input that is not a disabled checkbox: %q", raw)
			}
		case "code":
			if c, ok := got["class"]; ok && !strings.HasPrefix(c, "language-") {
				return fmt.Errorf("code class %q", c)
			}
		}
	}
}

// testDecoded strips what browsers ignore and decodes entities and
// percent-escapes repeatedly, lower-cased: the URL as the most lenient reader
// could see it.
func testDecoded(u string) string {
	s := u
	for range decodeRounds {
		s = html.UnescapeString(s)
		s = strings.Map(func(r rune) rune {
			if r <= ' ' || r == 0x7f {
				return -1
			}
			return r
		}, s)
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
	}
	return strings.ToLower(s)
}

func testLinkURLOK(u string) bool {
	if u == "" {
		return false
	}
	s := testDecoded(u)
	// Whatever precedes the first ':' – if no '/', '?' or '#' comes before
	// it – is what a browser could take for a scheme.
	if i := strings.IndexAny(s, ":/?#"); i >= 0 && s[i] == ':' && isSchemeSyntax(s[:i]) {
		switch s[:i] {
		case "http", "https", "mailto":
			return true
		}
		return false
	}
	return true // relative
}

// isSchemeSyntax: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986).
func isSchemeSyntax(s string) bool {
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}

func testImageURLOK(u string) bool {
	s := testDecoded(u)
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// checkNoForbidden is the strict check: no forbidden string anywhere in
// the output, text included, raw or entity-decoded.
func checkNoForbidden(out string) error {
	for _, s := range [2]string{strings.ToLower(out), strings.ToLower(html.UnescapeString(out))} {
		for _, f := range forbidden {
			if strings.Contains(s, f) {
				return fmt.Errorf("output contains %q", f)
			}
		}
	}
	return nil
}

type hostileCase struct {
	name string
	src  string
	// echo is set where the member's own text legitimately shows the
	// hostile words as visible text (a code span, an autolink whose scheme
	// we refuse, …). Those cases get the markup check but not the strict
	// whole-output check; the reason is the value.
	echo string
}

var hostileCases = []hostileCase{
	// <script> wherever it can hide.
	{name: "raw script", src: `<script>alert(1)</script>`},
	{name: "script block", src: "<script>\nalert(1)\n</script>\n\nafter"},
	{name: "script upper case with src", src: `<SCRIPT SRC=//evil.example/x.js></SCRIPT>`},
	{name: "script inline", src: "hi <script>alert(1)</script> there"},
	{name: "script unclosed", src: "text\n\n<script>alert(1)"},
	{name: "script split tag", src: `<scr<script>ipt>alert(1)</script>`},
	{name: "script in link text", src: `[<script>alert(1)</script>](http://x.example)`},
	{name: "script in table cell", src: "| a |\n|---|\n| <script>alert(1)</script> |"},
	{name: "script in list and quote", src: "- > <script>alert(1)</script>"},
	{name: "script in svg", src: `<svg><script>alert(1)</script></svg>`},
	{name: "template", src: `<template><script>alert(1)</script></template>`},

	// Event handlers.
	{name: "img onerror", src: `<img src=x onerror=alert(1)>`},
	{name: "img onerror valid src", src: `<img src="https://ok.example/x.png" onerror="alert(1)" onload="alert(2)">`},
	{name: "svg onload", src: `<svg onload=alert(1)>`},
	{name: "body onload", src: `<body onload=alert(1)>x</body>`},
	{name: "a onclick", src: `<a href="http://x.example" onclick="alert(1)">x</a>`},
	{name: "a onclick unquoted slash", src: `<a href=http://x.example onclick=alert(1)//>x</a>`},
	{name: "p onclick", src: `<p onclick="alert(1)">x</p>`},
	{name: "details ontoggle", src: `<details open ontoggle=alert(1)>x</details>`},
	{name: "img in link text onerror", src: `[<img src=x onerror=alert(1)>](http://x.example)`},
	{name: "checkbox onclick", src: `<input type="checkbox" onclick="alert(1)">`},

	// javascript: in every spelling.
	{name: "raw a javascript", src: `<a href="javascript:alert(1)">x</a>`},
	{name: "md link javascript", src: `[x](javascript:alert(1))`},
	{name: "md link mixed case", src: `[x](JaVaScRiPt:alert(1))`},
	{name: "md link entity decimal", src: `[x](&#106;avascript:alert(1))`},
	{name: "md link entity hex", src: `[x](&#x6A;avascript:alert(1))`},
	{name: "md link entity colon", src: `[x](javascript&colon;alert(1))`},
	{name: "md link entity middle", src: `[x](java&#115;cript:alert(1))`},
	{name: "raw a entity decimal", src: `<a href="&#106;avascript:alert(1)">x</a>`},
	{name: "raw a entity hex", src: `<a href="&#x6A;avascript&#x3A;alert(1)">x</a>`},
	{name: "raw a entity no semicolon", src: `<a href="&#0000106&#0000097vascript:alert(1)">x</a>`},
	{name: "raw a tab in scheme", src: "<a href=\"java\tscript:alert(1)\">x</a>"},
	{name: "raw a entity tab", src: `<a href="java&#x09;script:alert(1)">x</a>`},
	{name: "raw a entity newline", src: `<a href="java&#x0A;script:alert(1)">x</a>`},
	{name: "raw a leading space and control", src: "<a href=\" \x01javascript:alert(1)\">x</a>"},
	{name: "md link tab in brackets", src: "[x](<java\tscript:alert(1)>)"},
	{name: "md link percent colon", src: `[x](javascript%3Aalert(1))`},
	{name: "md link percent letter", src: `[x](%6Aavascript:alert(1))`},
	{name: "raw a percent colon", src: `<a href="javascript%3Aalert(1)">x</a>`},
	{name: "raw a double percent", src: `<a href="javascript%253Aalert(1)">x</a>`},
	{name: "autolink javascript", src: `<javascript:alert(1)>`,
		echo: "an autolink's text is its URL; the link is removed but the member's text stays visible"},
	{name: "reference javascript", src: "[x][r]\n\n[r]: javascript:alert(1)"},
	{name: "reference shortcut upper", src: "[x]\n\n[x]: JAVASCRIPT:alert(1) \"t\""},
	{name: "image javascript", src: `![x](javascript:alert(1))`},
	{name: "image reference javascript", src: "![x][r]\n\n[r]: javascript:alert(1)"},
	{name: "raw img javascript", src: `<img src="javascript:alert(1)">`},
	{name: "srcset", src: `<img src="https://ok.example/x.png" srcset="javascript:alert(1)">`},

	// data: and vbscript:
	{name: "md link data", src: `[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`},
	{name: "raw a data", src: `<a href="data:text/html,<script>alert(1)</script>">x</a>`},
	{name: "image data html", src: `![x](data:text/html,alert)`},
	{name: "image data svg", src: `<img src="data:image/svg+xml;base64,PHN2Zz4=">`},
	{name: "md link vbscript", src: `[x](vbscript:msgbox(1))`},
	{name: "raw a vbscript", src: `<a href="VBScript:msgbox(1)">x</a>`},

	// Styles and embeddings.
	{name: "style attribute", src: `<p style="background:url(javascript:alert(1))">x</p>`},
	{name: "style attribute on link", src: `<a href="http://x.example" style="position:fixed;top:0">x</a>`},
	{name: "style element", src: `<style>body{background:url("javascript:alert(1)")}</style>`},
	{name: "iframe", src: `<iframe src="javascript:alert(1)"></iframe>`},
	{name: "iframe srcdoc", src: `<iframe srcdoc="<script>alert(1)</script>"></iframe>`},
	{name: "object", src: `<object data="javascript:alert(1)"></object>`},
	{name: "embed", src: `<embed src="javascript:alert(1)">`},
	{name: "form", src: `<form action="javascript:alert(1)"><input type="submit" onclick="alert(1)"><button formaction="javascript:alert(1)">x</button></form>`},
	{name: "text input", src: `<input type="password" name="pw">`},
	{name: "math", src: `<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`},
	{name: "math href", src: `<math href="javascript:alert(1)">x</math>`},
	{name: "svg xlink", src: `<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>`},
	{name: "noscript mxss", src: `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`},
	{name: "base", src: `<base href="javascript:alert(1)//">`},
	{name: "meta refresh", src: `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`},
	{name: "link stylesheet", src: `<link rel="stylesheet" href="javascript:alert(1)">`},

	// Comments and CDATA.
	{name: "comment", src: `<!-- <script>alert(1)</script> -->`},
	{name: "comment short close", src: `<!--><script>alert(1)</script>-->`},
	{name: "conditional comment", src: `<!--[if IE]><script>alert(1)</script><![endif]-->`},
	{name: "cdata", src: `<![CDATA[<script>alert(1)</script>]]>`},
	{name: "processing instruction", src: `<?xml-stylesheet href="javascript:alert(1)"?>`},

	// Attribute breaking.
	{name: "title breakout", src: `[x](http://x.example "\" onclick=\"alert(1)")`,
		echo: "the title is shown as written; it stays inside the quoted title attribute"},
	{name: "rel override", src: `<a href="http://x.example" rel="opener" target="_blank">x</a>`},
	{name: "fake mention class", src: `<a class="mention" href="https://evil.example">@admin</a>`},
	{name: "code shows tags", src: "`<script>alert(1)</script>`",
		echo: "code spans show the member's text escaped, which is the point of code"},
	{name: "xmp", src: `<xmp><img src=x onerror=alert(1)></xmp>`,
		echo: "<xmp> content is raw text; its tags are dropped and the text shown escaped"},
	{name: "linkify quote breakout", src: `www.example.com/"onmouseover="alert(1)`},
}

func TestHostileInput(t *testing.T) {
	r := New()
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Render(tc.src)
			if err != nil {
				t.Fatalf("Render(%q): %v", tc.src, err)
			}
			if err := checkMarkup(out); err != nil {
				t.Errorf("Render(%q) = %q: %v", tc.src, out, err)
			}
			if tc.echo == "" {
				if err := checkNoForbidden(out); err != nil {
					t.Errorf("Render(%q) = %q: %v", tc.src, out, err)
				}
			}
		})
	}
}

// TestHostileInputInContext repeats every hostile case inside a list item,
// a block quote, a table cell and emphasis, where different parser states
// apply.
func TestHostileInputInContext(t *testing.T) {
	r := New()
	wrap := []string{"- item %s", "> %s", "| h |\n|---|\n| %s |", "*%s*", "1. x\n\n   %s", "# %s"}
	for _, tc := range hostileCases {
		if strings.Contains(tc.src, "\n") {
			continue // multi-line cases would not stay inside the wrapper
		}
		for _, w := range wrap {
			src := fmt.Sprintf(w, tc.src)
			out, err := r.Render(src)
			if err != nil {
				t.Fatalf("Render(%q): %v", src, err)
			}
			if err := checkMarkup(out); err != nil {
				t.Errorf("Render(%q) = %q: %v", src, out, err)
			}
			if tc.echo == "" {
				if err := checkNoForbidden(out); err != nil {
					t.Errorf("Render(%q) = %q: %v", src, out, err)
				}
			}
		}
	}
}

// TestSafetyCheckerCatches makes sure the checkers above are not vacuous.
func TestSafetyCheckerCatches(t *testing.T) {
	bad := []string{
		`<script>x</script>`,
		`<a href="javascript:x" rel="nofollow ugc noopener">x</a>`,
		`<a href="http://x">no rel</a>`,
		`<a href="java&#x09;script:x" rel="nofollow ugc noopener">x</a>`,
		`<a href="javascript%3Ax" rel="nofollow ugc noopener">x</a>`,
		`<img src="/relative.png">`,
		`<p onclick="x">x</p>`,
		`<div>x</div>`,
		`<!-- c -->`,
		`<input type="text" disabled>`,
	}
	for _, s := range bad {
		if checkMarkup(s) == nil {
			t.Errorf("checkMarkup(%q) passed, want failure", s)
		}
	}
	if checkNoForbidden(`<p>&#106;avascript:</p>`) == nil {
		t.Error("checkNoForbidden missed an entity-encoded javascript:")
	}
	if err := checkMarkup(`<p><a href="/u/anna" class="mention" rel="nofollow ugc noopener">@anna</a></p>`); err != nil {
		t.Errorf("checkMarkup rejected a mention: %v", err)
	}
}

func TestSizeLimits(t *testing.T) {
	r := New()
	cases := []struct {
		name string
		src  string
		ok   bool
	}{
		{"max chars", strings.Repeat("a", MaxChars), true},
		{"max chars plus one", strings.Repeat("a", MaxChars+1), false},
		{"max chars of 4-byte runes", strings.Repeat("😀", MaxChars), true},
		{"over max bytes", strings.Repeat("😀", MaxBytes/4+1), false},
		{"max bytes plus one", strings.Repeat("a", MaxBytes+1), false},
	}
	for _, tc := range cases {
		_, err := r.Render(tc.src)
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, ErrTooComplex) {
			t.Errorf("%s: err = %v, want ErrTooComplex", tc.name, err)
		}
	}
}

func TestInvalidUTF8AndNUL(t *testing.T) {
	out, err := New().Render("a\xffb\x00c")
	if err != nil {
		t.Fatal(err)
	}
	if want := "<p>a\uFFFDb\uFFFDc</p>"; strings.TrimSpace(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
}
