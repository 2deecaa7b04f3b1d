package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kliv/moderation"
)

// Config is every setting of a kliv process; built once, passed down.
type Config struct {
	Addr       string
	DB         string
	BaseURL    string
	SMTP       string
	RateLimits bool
	// Screening is how join requests are screened (claims, retention,
	// queue alerts, the yearly role confirmation).
	Screening ScreeningConfig
}

// ScreeningConfig is the screening policy in the units the flags take.
type ScreeningConfig struct {
	RetentionDays     int // rejected and withdrawn requests are deleted after this
	QueueAlertHours   int // moderators are mailed when a request has waited this long
	ConfirmRoleMonths int // members confirm their role this often (0: never)
	ConfirmGraceDays  int // and lapse when they have not within this
	ClaimMinutes      int // a moderator's claim on a request holds this long
	InviteDays        int // an invitation link works this long
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
	screening := []struct {
		flag, env, usage string
		def              int
		val              *string
	}{
		{"retention-days", "KLIV_RETENTION_DAYS", "days rejected and withdrawn join requests are kept", 30, nil},
		{"queue-alert-hours", "KLIV_QUEUE_ALERT_HOURS", "hours a join request may wait before moderators are mailed", 48, nil},
		{"confirm-role-months", "KLIV_CONFIRM_ROLE_MONTHS", "months between a member's role confirmations (0: never ask)", 12, nil},
		{"confirm-grace-days", "KLIV_CONFIRM_GRACE_DAYS", "days to confirm before a member lapses to read-only", 30, nil},
		{"claim-minutes", "KLIV_CLAIM_MINUTES", "minutes a moderator's claim on a join request holds", 30, nil},
		{"invite-days", "KLIV_INVITE_DAYS", "days an invitation link works", 14, nil},
	}
	for i := range screening {
		sc := &screening[i]
		sc.val = fs.String(sc.flag, "", fmt.Sprintf("%s (%s, default %d)", sc.usage, sc.env, sc.def))
	}
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
		ints := make([]int, len(screening))
		for i, sc := range screening {
			v := pick(sc.flag, *sc.val, sc.env, strconv.Itoa(sc.def))
			n, err := strconv.Atoi(strings.TrimSpace(v))
			min := 1
			if sc.flag == "confirm-role-months" {
				min = 0
			}
			if err != nil || n < min || n > 100000 {
				return c, fmt.Errorf("--%s %q: want a whole number of at least %d", sc.flag, v, min)
			}
			ints[i] = n
		}
		c.Screening = ScreeningConfig{RetentionDays: ints[0], QueueAlertHours: ints[1], ConfirmRoleMonths: ints[2],
			ConfirmGraceDays: ints[3], ClaimMinutes: ints[4], InviteDays: ints[5]}
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

// Policy is the screening policy as the moderation service takes it;
// zero values (a Config built by hand, as in tests) keep the defaults.
func (c ScreeningConfig) Policy() moderation.Policy {
	if c == (ScreeningConfig{}) {
		return moderation.Policy{}
	}
	day := 24 * time.Hour
	p := moderation.Policy{
		ClaimFor:     time.Duration(c.ClaimMinutes) * time.Minute,
		Retention:    time.Duration(c.RetentionDays) * day,
		AlertAfter:   time.Duration(c.QueueAlertHours) * time.Hour,
		InviteFor:    time.Duration(c.InviteDays) * day,
		ConfirmEvery: time.Duration(c.ConfirmRoleMonths) * 30 * day,
		ConfirmGrace: time.Duration(c.ConfirmGraceDays) * day,
	}
	if c.ConfirmRoleMonths == 0 {
		p.ConfirmEvery = -1 // never ask
	}
	return p
}
