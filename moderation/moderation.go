// Package moderation holds what moderators and admins do: join requests
// and their screening, and roles. Every decision
// writes its line through forum's audit writer.
package moderation

import (
	"kliv/forum"
	"kliv/i18n"
)

// Service is the moderation domain over the forum's store.
type Service struct {
	Store *forum.Store
	I18n  *i18n.Bundle
}

// New builds a Service.
func New(store *forum.Store, bundle *i18n.Bundle) *Service {
	return &Service{Store: store, I18n: bundle}
}
