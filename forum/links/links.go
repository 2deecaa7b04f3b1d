// Package links normalises the links members share, so the forum can
// tell when a link was shared before. (Interim version by the lead so the
// tree builds; the links engineer owns and replaces this file.)
package links

import (
	"errors"
	"net/url"
	"strings"
)

// Errors Normalize returns.
var (
	ErrNotHTTP = errors.New("links: not an http or https URL")
	ErrInvalid = errors.New("links: invalid URL")
)

// Normalize validates an http(s) URL and returns its canonical form.
func Normalize(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 2000 {
		return "", ErrInvalid
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", ErrInvalid
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", ErrNotHTTP
	}
	if u.User != nil {
		return "", ErrInvalid
	}
	u.Host = strings.ToLower(u.Host)
	u.Fragment = ""
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

// Domain returns the host to show beside a link, without "www.".
func Domain(normalized string) string {
	u, err := url.Parse(normalized)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}
