// Package moderation holds what moderators and admins do: join requests
// and their screening (questions, claims, more information, second
// opinions, invitations, retention, the yearly role confirmation), and
// roles. Every decision writes its line through forum's audit writer.
package moderation

import (
	"time"

	"kliv/forum"
	"kliv/i18n"
)

// Service is the moderation domain over the forum's store.
type Service struct {
	Store *forum.Store
	I18n  *i18n.Bundle
	Policy
}

// Policy is how screening is run; the zero value of a field takes its
// default (see New).
type Policy struct {
	// ClaimFor is how long a moderator's claim on a request holds.
	ClaimFor time.Duration
	// Retention is how long rejected and withdrawn requests (and their
	// applicants' accounts) are kept.
	Retention time.Duration
	// AlertAfter is how long a request may wait before moderators are
	// mailed about it.
	AlertAfter time.Duration
	// InviteFor is how long an invitation link works.
	InviteFor time.Duration
	// ConfirmEvery is how often a member confirms her role.
	ConfirmEvery time.Duration
	// ConfirmGrace is how long she has to answer before she lapses.
	ConfirmGrace time.Duration
}

// DefaultPolicy is the policy when nothing is configured.
var DefaultPolicy = Policy{
	ClaimFor:     30 * time.Minute,
	Retention:    30 * 24 * time.Hour,
	AlertAfter:   48 * time.Hour,
	InviteFor:    14 * 24 * time.Hour,
	ConfirmEvery: 365 * 24 * time.Hour,
	ConfirmGrace: 30 * 24 * time.Hour,
}

// New builds a Service with the default policy.
func New(store *forum.Store, bundle *i18n.Bundle) *Service {
	s := &Service{Store: store, I18n: bundle, Policy: DefaultPolicy}
	// Posts that seem to name a client or patient by her personal
	// identity number are reported by the system as they are saved.
	store.PostHooks = append(store.PostHooks, s.flagPersonalNumber)
	return s
}

// SetPolicy sets the policy; zero fields keep their defaults. A negative
// ConfirmEvery turns the role confirmation off.
func (s *Service) SetPolicy(p Policy) {
	d := DefaultPolicy
	for _, f := range []struct{ dst, src *time.Duration }{
		{&d.ClaimFor, &p.ClaimFor}, {&d.Retention, &p.Retention}, {&d.AlertAfter, &p.AlertAfter},
		{&d.InviteFor, &p.InviteFor}, {&d.ConfirmEvery, &p.ConfirmEvery}, {&d.ConfirmGrace, &p.ConfirmGrace},
	} {
		if *f.src != 0 {
			*f.dst = *f.src
		}
	}
	s.Policy = d
}

func (s *Service) now() time.Time { return s.Store.Now().UTC() }
