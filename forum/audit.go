package forum

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// AuditLine is one moderator or admin action as written to the audit log.
// ActorID 0 is the system (a timed chore, the operator's command line).
type AuditLine struct {
	ActorID    int64
	Action     string
	TargetType string
	TargetID   int64
	Reason     string
	Detail     string
}

// Audit writes one line of the audit log inside ext, the action's own
// transaction, so an action and its line are written together or not at
// all. It is the only writer of the audit log.
func (s *Store) Audit(ctx context.Context, ext sqlx.ExtContext, l AuditLine) error {
	return writeAudit(ctx, ext, l, s.now())
}

func writeAudit(ctx context.Context, ext sqlx.ExecerContext, l AuditLine, at time.Time) error {
	if l.Action == "" || l.TargetType == "" {
		return fmt.Errorf("audit: action and target type are required")
	}
	var actor any
	if l.ActorID > 0 {
		actor = l.ActorID
	}
	_, err := ext.ExecContext(ctx, `INSERT INTO audit_log (actor_id, action, target_type, target_id, reason, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, actor, l.Action, l.TargetType, l.TargetID, l.Reason, l.Detail, at.UTC())
	if err != nil {
		return fmt.Errorf("audit %s: %w", l.Action, err)
	}
	return nil
}

// actorID is the audit log's actor for m: 0 (the system) for nil.
func actorID(m *Member) int64 {
	if m == nil {
		return 0
	}
	return m.ID
}

// AuditEntry is one line of the audit log as admins read it.
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
// id to continue below (0 for the newest page); next is 0 on the last page.
func (s *Store) AuditLog(ctx context.Context, actor *Member, before int64, limit int) ([]AuditEntry, int64, error) {
	if !actor.IsAdmin() {
		return nil, 0, Refuse(ErrForbidden, "error.admin_only")
	}
	if before <= 0 {
		before = 1 << 62
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var es []AuditEntry
	err := s.DB.SelectContext(ctx, &es, `SELECT a.id, m.username AS actor, a.action, a.target_type, a.target_id,
			CASE a.target_type WHEN 'member' THEN (SELECT username FROM members WHERE id = a.target_id)
			WHEN 'join_request' THEN (SELECT mm.username FROM join_requests j JOIN members mm ON mm.id = j.member_id WHERE j.id = a.target_id)
			WHEN 'topic' THEN (SELECT title FROM topics WHERE id = a.target_id)
			WHEN 'category' THEN (SELECT name FROM categories WHERE id = a.target_id)
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
