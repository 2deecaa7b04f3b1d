// Package links validates the URLs members share and reduces them to one
// canonical form, so that the forum can tell that a link was shared before
// even when it was pasted with another capitalisation, a default port, a
// trailing slash, a fragment or a newsletter's tracking parameters.
//
// The canonical form is also what the forum stores and links to, so
// Normalize never changes what the server at the other end sees, apart from
// dropping tracking parameters and the fragment (which never reaches the
// server anyway).
package links

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLength is the longest URL accepted, before and after normalisation.
// Real article links are far shorter; longer ones are usually pasted
// tracking blobs or data smuggled in a query string.
const MaxLength = 2000

var (
	// ErrNotHTTP means the text is not an http or https URL at all: another
	// scheme (javascript:, data:, ftp:, mailto:) or no scheme, as in
	// "skolverket.se".
	ErrNotHTTP = errors.New("links: not an http or https URL")
	// ErrInvalid means an http(s) URL that is malformed or unsafe to show:
	// no host, a user name or password, control characters, bad
	// percent-encoding, a bad port or host, or too long.
	ErrInvalid = errors.New("links: invalid URL")
)

// trackingParams are query parameters that only identify the campaign or
// click that brought the reader; two shares of one article differ only in
// them. Names are compared lower-cased; every utm_* is tracking too.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true,
	"mc_cid": true, "mc_eid": true, "igshid": true, "_hsenc": true,
	"_hsmi": true, "ref_src": true, "yclid": true, "wt_mc": true,
}

// Normalize validates an http(s) URL typed by a member and returns its
// canonical form, or an error (ErrNotHTTP, ErrInvalid) when it is not an
// absolute http/https URL with a host. Normalize(Normalize(x)) ==
// Normalize(x).
//
// The canonical form has a lower-case scheme and host (an IDN host is kept
// in Unicode, lower-cased), no default port, a path that is never empty
// and never ends in "/" unless it is "/", no "." or ".." segments,
// percent-encoding with upper-case hex wherever it is needed and nowhere
// else, no fragment, no tracking parameters, and the remaining query
// parameters sorted by name.
func Normalize(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if len(s) > MaxLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalid, MaxLength)
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: not UTF-8", ErrInvalid)
	}
	// Tabs, newlines and other controls are how "java\tscript:" and
	// header-splitting tricks slip past naive checks; no real link has them.
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", fmt.Errorf("%w: control character", ErrInvalid)
	}
	// Decide on the scheme before url.Parse, so that "javascript:..." is
	// ErrNotHTTP however malformed the rest of it is.
	if scheme := sniffScheme(s); scheme != "http" && scheme != "https" {
		return "", ErrNotHTTP
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if u.Opaque != "" || u.Host == "" {
		return "", fmt.Errorf("%w: no host", ErrInvalid)
	}
	// user:pass@ in a shared link is a phishing trick
	// (https://bank.se@evil.example/), never a credential a member means to
	// publish.
	if u.User != nil {
		return "", fmt.Errorf("%w: user name in URL", ErrInvalid)
	}
	host, err := normalizeHost(u.Hostname(), strings.HasPrefix(u.Host, "["))
	if err != nil {
		return "", err
	}
	port, err := normalizePort(u.Scheme, u.Port())
	if err != nil {
		return "", err
	}

	// RawPath holds the path as typed when it differs from Go's default
	// encoding; otherwise the default encoding is what was typed. Working
	// on the typed form keeps %2F apart from "/".
	rawPath := u.RawPath
	if rawPath == "" {
		rawPath = u.EscapedPath()
	}
	path, ok := normalizeEscapes(rawPath, pathChars)
	if !ok {
		return "", fmt.Errorf("%w: bad percent-encoding in path", ErrInvalid)
	}
	path = removeDotSegments(path)
	path = strings.TrimRight(path, "/")
	if path == "" {
		path = "/"
	}

	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(host)
	if port != "" {
		b.WriteByte(':')
		b.WriteString(port)
	}
	b.WriteString(path)
	if q := normalizeQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	out := b.String()
	if len(out) > MaxLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalid, MaxLength)
	}
	return out, nil
}

// Domain returns the host to show next to a link topic, without "www."
// (e.g. "skolverket.se"), or "" if normalized is not a URL with a host.
// The port is left out: it says nothing about whose site it is.
func Domain(normalized string) string {
	u, err := url.Parse(normalized)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	// Keep "www.se" whole: stripping would leave a bare top-level domain.
	if rest, ok := strings.CutPrefix(host, "www."); ok && strings.Contains(rest, ".") {
		return rest
	}
	return host
}

// sniffScheme returns the lower-cased scheme of s, or "" if s does not
// start with one (a relative reference).
func sniffScheme(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return strings.ToLower(s[:i])
		default:
			return ""
		}
	}
	return ""
}

// normalizeHost lower-cases the host and checks that it is a plausible DNS
// name (letters in any script, digits, '-', '_', dots between non-empty
// labels) or, when it was in brackets, an IPv6 address. Anything else — spaces, '%', quotes, a zone in
// an IPv6 literal — has no place in a link members click.
func normalizeHost(h string, bracketed bool) (string, error) {
	if bracketed || strings.Contains(h, ":") {
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is6() || a.Zone() != "" {
			return "", fmt.Errorf("%w: bad IPv6 address", ErrInvalid)
		}
		return "[" + a.String() + "]", nil
	}
	h = strings.ToLower(h)
	// A fully qualified "skolverket.se." is the same host as
	// "skolverket.se".
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return "", fmt.Errorf("%w: empty host", ErrInvalid)
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" {
			return "", fmt.Errorf("%w: empty label in host", ErrInvalid)
		}
		for _, r := range label {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '-' || r == '_') {
				return "", fmt.Errorf("%w: character %q in host", ErrInvalid, r)
			}
		}
	}
	// Lower-casing twice must change nothing, or the result would not be
	// canonical; the few code points where Go's case mapping is not
	// idempotent are no loss in a host name.
	if strings.ToLower(h) != h {
		return "", fmt.Errorf("%w: host case", ErrInvalid)
	}
	return h, nil
}

// normalizePort returns the port to keep: "" for none or the scheme's
// default, otherwise the number without leading zeros.
func normalizePort(scheme, port string) (string, error) {
	if port == "" {
		return "", nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%w: bad port %q", ErrInvalid, port)
	}
	if scheme == "http" && n == 80 || scheme == "https" && n == 443 {
		return "", nil
	}
	return strconv.Itoa(n), nil
}

// Character sets allowed unencoded (RFC 3986): unreserved characters are
// always decoded; sub-delims, ':' and '@' stay as typed in paths, as do '/'
// and '?' in queries. '&' and '=' never reach normalizeEscapes within a
// query component unescaped where they would change its meaning.
const (
	unreservedChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	pathChars       = unreservedChars + "!$&'()*+,;=:@/"
	queryChars      = pathChars + "?"
)

// normalizeEscapes rewrites s so that each byte is written one way only:
// %XX of an unreserved character becomes the character, other %XX get
// upper-case hex, characters in allowed stay, and everything else
// (spaces, non-ASCII bytes, quotes, brackets) is percent-encoded. A '%'
// that does not start a valid escape makes ok false.
func normalizeEscapes(s, allowed string) (out string, ok bool) {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", false
			}
			d := unhex(s[i+1])<<4 | unhex(s[i+2])
			if strings.IndexByte(unreservedChars, d) >= 0 {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteByte(hex[d>>4])
				b.WriteByte(hex[d&15])
			}
			i += 2
			continue
		}
		if strings.IndexByte(allowed, c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String(), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// removeDotSegments resolves "." and ".." segments as RFC 3986 section
// 5.2.4 says; browsers do the same before sending a request, so
// "/a/./b/../c" and "/a/c" are the same page. Empty segments ("//") are
// kept: servers may treat them differently.
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return strings.Join(out, "/")
}

// normalizeQuery drops empty and tracking parameters, normalises the
// percent-encoding of the rest and sorts them by name, keeping the order
// of repeated names ("?tag=a&tag=b" is not "?tag=b&tag=a" to every
// server). A stray '%' is encoded as %25 instead of rejecting the link,
// because servers and browsers accept "?rabatt=20%".
func normalizeQuery(raw string) string {
	type param struct{ key, rest string }
	var params []param
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue
		}
		key, value, hasValue := strings.Cut(piece, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = key
		}
		name = strings.ToLower(name)
		if strings.HasPrefix(name, "utm_") || trackingParams[name] {
			continue
		}
		p := param{key: escapeLenient(key, queryChars)}
		if hasValue {
			p.rest = "=" + escapeLenient(value, queryChars)
		}
		params = append(params, p)
	}
	slices.SortStableFunc(params, func(a, b param) int { return strings.Compare(a.key, b.key) })
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteString(p.rest)
	}
	return b.String()
}

// escapeLenient is normalizeEscapes with each '%' that does not start a
// valid escape encoded as %25.
func escapeLenient(s, allowed string) string {
	if out, ok := normalizeEscapes(s, allowed); ok {
		return out
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && (i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2])) {
			b.WriteString("%25")
			continue
		}
		b.WriteByte(s[i])
	}
	out, _ := normalizeEscapes(b.String(), allowed)
	return out
}
