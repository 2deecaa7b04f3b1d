// Package moderation holds what moderators and admins do: join requests
// and their screening, roles, and the audit log of every decision.
package moderation

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

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

// Audit records one decision in the audit log inside ext.
func (s *Service) Audit(ctx context.Context, ext sqlx.ExtContext, actor *forum.Member, action, targetType string, targetID int64, reason, detail string) error {
	var actorID any
	if actor != nil {
		actorID = actor.ID
	}
	_, err := ext.ExecContext(ctx, `INSERT INTO audit_log (actor_id, action, target_type, target_id, reason, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, actorID, action, targetType, targetID, reason, detail, s.Store.Now().UTC())
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID         int64     `db:"id" json:"id"`
	Actor      *string   `db:"actor" json:"actor"`
	Action     string    `db:"action" json:"action"`
	TargetType string    `db:"target_type" json:"target_type"`
	TargetID   int64     `db:"target_id" json:"target_id"`
	Target     *string   `db:"target" json:"target"`
	Reason     string    `db:"reason" json:"reason"`
	Detail     string    `db:"detail" json:"detail"`
	CreatedAt  time.Time `db:"created_at" json:"created_at"`
}

// AuditLog lists the audit log newest first, for admins. before is the
// id to continue below (0 for the newest page).
func (s *Service) AuditLog(ctx context.Context, actor *forum.Member, before int64, limit int) ([]AuditEntry, int64, error) {
	if !actor.IsAdmin() {
		return nil, 0, forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	if before <= 0 {
		before = 1 << 62
	}
	var es []AuditEntry
	err := s.Store.DB.SelectContext(ctx, &es, `SELECT a.id, m.username AS actor, a.action, a.target_type, a.target_id,
			CASE a.target_type WHEN 'member' THEN (SELECT username FROM members WHERE id = a.target_id)
			WHEN 'join_request' THEN (SELECT mm.username FROM join_requests j JOIN members mm ON mm.id = j.member_id WHERE j.id = a.target_id)
			END AS target,
			a.reason, a.detail, a.created_at
		FROM audit_log a LEFT JOIN members m ON m.id = a.actor_id
		WHERE a.id < ? ORDER BY a.id DESC LIMIT ?`, before, limit+1)
	if err != nil {
		return nil, 0, err
	}
	var next int64
	if len(es) > limit {
		es = es[:limit]
		next = es[len(es)-1].ID
	}
	return es, next, nil
}
