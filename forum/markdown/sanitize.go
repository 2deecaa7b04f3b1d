package markdown

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// linkRel is put on every link. nofollow and ugc tell search engines the
// link is member content (no endorsement, no PageRank for spammers);
// noopener is belt and braces – we never set target, but a member's raw
// HTML can't either, and old browsers then can't reach window.opener.
const linkRel = "nofollow ugc noopener"

// newPolicy is the bluemonday policy: the final allowlist, run last so that
// whatever the earlier steps do, nothing outside it reaches a page.
//
// It is written from what goldmark's CommonMark+GFM output contains, not
// copied from UGCPolicy: UGCPolicy allows dozens of elements we never emit
// (div, span, details, abbr, …), global attributes such as id/class/dir/lang,
// and images from relative URLs; each of those is something a member could use
// to imitate the site's own UI or to make the reader's browser request a URL
// on our own domain.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	// Text structure.
	p.AllowElements("p", "br", "hr", "blockquote",
		"h1", "h2", "h3", "h4", "h5", "h6",
		"em", "strong", "del",
		"pre", "code",
		"ul", "ol", "li",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	// Fenced code blocks: class="language-go" for a client-side highlighter.
	// Any non-space info word is allowed (the spec has "language-;"), but only
	// behind the language- prefix, so a member cannot borrow our own classes.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[^\s"'<>&]{1,64}$`)).OnElements("code")
	// GFM table alignment (goldmark is configured to emit align, not style).
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")

	// Links: http, https, mailto and relative URLs (/u/anna, #anchor).
	// RequireParseableURLs makes bluemonday parse each URL with net/url and
	// check its scheme, so javascript:, vbscript:, data: … are dropped in any
	// spelling the HTML parser decodes (entities, mixed case); control
	// characters such as an embedded tab or newline make the URL unparseable
	// and drop it too. Percent-encoded schemes are caught in tidyHTML.
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").OnElements("a", "img")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^mention$`)).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + regexp.QuoteMeta(linkRel) + `$`)).OnElements("a")
	// tidyHTML already sets rel on every link; should that ever fail,
	// bluemonday at least adds nofollow.
	p.RequireNoFollowOnLinks(true)

	// Images only from absolute http(s) URLs: a relative src would make every
	// reader's browser send a GET (with cookies) to a URL of the member's
	// choosing on our own domain.
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^(?i)https?://[^\s]+$`)).OnElements("img")
	p.AllowAttrs("alt").OnElements("img")

	// GFM task lists: a disabled checkbox, nothing else.
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")

	return p
}

// Elements removed together with everything inside them: their content is
// either not visible text (script, style, template, metadata) or belongs to
// an embedding we never allow. Elements in the SVG and MathML namespaces go
// the same way (they are parsed by different rules, a classic way to smuggle
// markup past sanitizers).
var dropWithContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true,
	atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true,
	atom.Noscript: true, atom.Noembed: true, atom.Noframes: true,
	atom.Head: true, atom.Title: true, atom.Base: true, atom.Link: true, atom.Meta: true,
	atom.Svg: true, atom.Math: true,
}

// tidyHTML is the tree pass between goldmark and bluemonday. It parses
// goldmark's output the way a browser would (inside a <div>), then
//   - drops comments and the elements in dropWithContent;
//   - unwraps links whose URL is not allowed (keeping their text), and
//     replaces images whose src is not allowed by their alt text, so content
//     degrades to readable text instead of an empty <a> or a broken image;
//   - sets rel on every link, and class="mention" only on real /u/ links;
//   - keeps only disabled checkboxes of <input>s;
//
// and serialises the tree again. Because the output is serialised from a
// tree, every tag a member opened in raw HTML is closed inside the post and
// no stray </div> or </li> can escape into the page around it.
func tidyHTML(in []byte, headingShift int) ([]byte, error) {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(bytes.NewReader(in), ctx)
	if err != nil {
		// The only error x/net/html returns for in-memory input is its
		// nesting limit (512 open elements), reached with raw HTML such as
		// thousands of unclosed <em>: a shape like the ones the pre-checks
		// refuse, so it is refused the same way.
		return nil, fmt.Errorf("%w: %v", ErrTooComplex, err)
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	cleanChildren(root)
	if headingShift > 0 {
		shiftHeadings(root, headingShift)
	}
	var out bytes.Buffer
	out.Grow(len(in) + len(in)/8)
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		if err := html.Render(&out, c); err != nil {
			return nil, fmt.Errorf("markdown: serialise HTML: %w", err)
		}
	}
	return out.Bytes(), nil
}

var mentionHref = regexp.MustCompile(`^/u/[a-z0-9][a-z0-9_.-]{2,29}$`)

func cleanChildren(parent *html.Node) {
	for c := parent.FirstChild; c != nil; {
		next := c.NextSibling
		switch c.Type {
		case html.ElementNode:
			if c.Namespace != "" || dropWithContent[c.DataAtom] {
				parent.RemoveChild(c)
				break
			}
			cleanChildren(c)
			cleanElement(parent, c)
		case html.TextNode:
		default: // comments, doctypes
			parent.RemoveChild(c)
		}
		c = next
	}
}

func cleanElement(parent, n *html.Node) {
	switch n.DataAtom {
	case atom.A:
		href, ok := attr(n, "href")
		if !ok || !safeLinkURL(href) {
			unwrap(parent, n)
			return
		}
		if !mentionHref.MatchString(href) {
			delAttr(n, "class")
		}
		setAttr(n, "rel", linkRel)
	case atom.Img:
		src, ok := attr(n, "src")
		if !ok || !safeImageURL(src) {
			alt, _ := attr(n, "alt")
			if alt != "" {
				parent.InsertBefore(&html.Node{Type: html.TextNode, Data: alt}, n)
			}
			parent.RemoveChild(n)
		}
	case atom.Input:
		if t, _ := attr(n, "type"); !strings.EqualFold(t, "checkbox") {
			parent.RemoveChild(n)
			return
		}
		setAttr(n, "type", "checkbox") // normalised: the policy matches it exactly
		setAttr(n, "disabled", "")
	}
}

// headingAtoms are h1…h6 by level.
var headingAtoms = [...]atom.Atom{atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6}

// shiftHeadings moves every heading down by shift levels (at most to h6):
// a post sits under the page's own h1 and h2, and one h1 a page keeps the
// outline right for screen readers.
func shiftHeadings(n *html.Node, shift int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		for level, a := range headingAtoms {
			if c.DataAtom == a {
				to := min(level+shift, len(headingAtoms)-1)
				c.DataAtom, c.Data = headingAtoms[to], headingAtoms[to].String()
				break
			}
		}
		shiftHeadings(c, shift)
	}
}

// unwrap replaces n by its children.
func unwrap(parent, n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		parent.InsertBefore(c, n)
		c = next
	}
	parent.RemoveChild(n)
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func setAttr(n *html.Node, key, val string) {
	for i, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			n.Attr[i].Val = val
			return
		}
	}
	n.Attr = append(n.Attr, html.Attribute{Key: key, Val: val})
}

func delAttr(n *html.Node, key string) {
	kept := n.Attr[:0]
	for _, a := range n.Attr {
		if a.Namespace != "" || a.Key != key {
			kept = append(kept, a)
		}
	}
	n.Attr = kept
}

// urlScheme works out which scheme a browser – or anything further down the
// line that decodes once more than it should – could see in v. It removes
// what browsers ignore (ASCII whitespace and control characters, anywhere),
// decodes HTML entities and percent-encoding repeatedly, and lower-cases.
// It returns "" for a relative URL and ok=false for a URL bluemonday would
// not accept either (so we unwrap rather than leave an href-less <a>).
func urlScheme(v string) (scheme string, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.ContainsAny(v, " \t\n\r\f") {
		return "", false
	}
	// Mirror bluemonday's own acceptance test (validURL), so that no link
	// reaches it that it would strip of its href.
	if u, err := url.Parse(v); err != nil || u.String() == "" {
		return "", false
	}
	s := v
	for range decodeRounds {
		prev := s
		s = stripControls(html.UnescapeString(s))
		if d, err := url.PathUnescape(s); err == nil {
			s = d
		}
		if s == prev {
			break
		}
	}
	s = strings.ToLower(stripControls(s))
	if i := strings.IndexAny(s, ":/?#"); i >= 0 && s[i] == ':' && schemeSyntax.MatchString(s[:i]) {
		return s[:i], true
	}
	return "", true
}

// decodeRounds bounds the repeated decoding in urlScheme; real URLs reach a
// fixed point after one or two rounds.
const decodeRounds = 8

// schemeSyntax is RFC 3986's scheme: what browsers accept in front of ":".
// Anything else there ("&:", "foo):") makes the URL relative.
var schemeSyntax = regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`)

func stripControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// safeLinkURL allows http, https, mailto and relative URLs.
func safeLinkURL(v string) bool {
	scheme, ok := urlScheme(v)
	return ok && (scheme == "" || scheme == "http" || scheme == "https" || scheme == "mailto")
}

// safeImageURL allows absolute http and https URLs with a host only.
func safeImageURL(v string) bool {
	scheme, ok := urlScheme(v)
	if !ok || (scheme != "http" && scheme != "https") {
		return false
	}
	v = strings.TrimSpace(v)
	lv := strings.ToLower(v)
	if !strings.HasPrefix(lv, "http://") && !strings.HasPrefix(lv, "https://") {
		return false
	}
	u, err := url.Parse(v)
	return err == nil && u.Host != ""
}
