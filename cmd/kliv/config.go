package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
)

// Config is every setting of a kliv process; built once, passed down.
type Config struct {
	Addr       string
	DB         string
	BaseURL    string
	SMTP       string
	RateLimits bool
}

// configFlags declares the shared configuration flags on fs; the returned
// function resolves them (flag beats environment beats default) after
// fs.Parse.
func configFlags(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	addr := fs.String("addr", "", "listen address (KLIV_ADDR, default 127.0.0.1:8080)")
	db := fs.String("db", "", "database: a SQLite file path (KLIV_DB, default kliv.db)")
	base := fs.String("base-url", "", "public base URL (KLIV_BASE_URL, default http:// + addr)")
	smtp := fs.String("smtp", "", "SMTP URL smtp://user:pass@host:587?from=addr (KLIV_SMTP; empty: mail goes to the log)")
	rl := fs.String("rate-limits", "", "on or off (KLIV_RATE_LIMITS, default on)")
	return func() (Config, error) {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		pick := func(name, val, env, def string) string {
			if set[name] {
				return val
			}
			if v := getenv(env); v != "" {
				return v
			}
			return def
		}
		c := Config{
			Addr:    pick("addr", *addr, "KLIV_ADDR", "127.0.0.1:8080"),
			DB:      pick("db", *db, "KLIV_DB", "kliv.db"),
			BaseURL: pick("base-url", *base, "KLIV_BASE_URL", ""),
			SMTP:    pick("smtp", *smtp, "KLIV_SMTP", ""),
		}
		switch v := strings.ToLower(pick("rate-limits", *rl, "KLIV_RATE_LIMITS", "on")); v {
		case "on", "true", "1", "yes":
			c.RateLimits = true
		case "off", "false", "0", "no":
			c.RateLimits = false
		default:
			return c, fmt.Errorf("--rate-limits must be on or off, not %q", v)
		}
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return c, fmt.Errorf("--addr %q: want host:port", c.Addr)
		}
		if c.BaseURL == "" {
			c.BaseURL = "http://" + c.Addr
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("--base-url %q: want an http or https URL", c.BaseURL)
		}
		if c.SMTP != "" {
			u, err := url.Parse(c.SMTP)
			if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
				return c, fmt.Errorf("--smtp: want smtp://[user:password@]host:port[?from=address] or smtps://…")
			}
		}
		return c, nil
	}
}

// newFlagSet makes a flag set that reports errors as values, not exits.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	_ = stderr
	return fs
}

// Secure reports whether cookies must be Secure (the site is https).
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Origin is the site's web origin, scheme://host[:port], as a browser
// sends it in the Origin header.
func (c Config) Origin() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
