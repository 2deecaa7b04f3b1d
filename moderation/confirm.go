package moderation

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// Membership requires a leading role, so once every Policy.ConfirmEvery a
// member is asked to confirm her role and organisation; a member who has
// not within Policy.ConfirmGrace lapses (forum.StatusLapsed) until she
// confirms.

// confirmBatch caps how many members one chore round asks or lapses.
const confirmBatch = 200

// AskConfirmations mails members whose role was last confirmed (or
// approved) longer ago than Policy.ConfirmEvery, once. It returns how
// many it asked.
func (s *Service) AskConfirmations(ctx context.Context) (int, error) {
	if s.ConfirmEvery <= 0 {
		return 0, nil
	}
	var ms []forum.Member
	err := s.Store.DB.SelectContext(ctx, &ms, `SELECT id, email, display_name, lang FROM members
		WHERE status = 'approved' AND confirm_asked_at IS NULL AND COALESCE(role_confirmed_at, approved_at) < ?
		ORDER BY id LIMIT ?`, s.now().Add(-s.ConfirmEvery), confirmBatch)
	if err != nil {
		return 0, err
	}
	days := int(s.ConfirmGrace / (24 * time.Hour))
	for _, m := range ms {
		err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
			if err := s.Store.MarkConfirmAsked(ctx, tx, m.ID); err != nil {
				return err
			}
			lang := mailLang(m.Lang)
			return s.Store.Enqueue(ctx, tx, forum.Mail{MemberID: m.ID, Kind: "confirm_role", To: m.Email,
				Subject: s.I18n.T(lang, "screening.mail.confirm.subject"),
				Body:    s.I18n.T(lang, "screening.mail.confirm.body", m.DisplayName, s.Store.BaseURL+"/confirm-role", days)})
		})
		if err != nil {
			return 0, err
		}
	}
	return len(ms), nil
}

// LapseUnconfirmed makes members who were asked more than
// Policy.ConfirmGrace ago and have not confirmed read-only alumnae. It
// returns how many lapsed.
func (s *Service) LapseUnconfirmed(ctx context.Context) (int, error) {
	if s.ConfirmEvery <= 0 {
		return 0, nil
	}
	var ids []int64
	err := s.Store.DB.SelectContext(ctx, &ids, `SELECT id FROM members WHERE status = 'approved' AND confirm_asked_at < ?
		ORDER BY id LIMIT ?`, s.now().Add(-s.ConfirmGrace), confirmBatch)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
			if err := s.Store.SetMemberStatus(ctx, tx, id, forum.StatusLapsed, forum.StatusApproved); err != nil {
				return err
			}
			return s.Store.Audit(ctx, tx, forum.AuditLine{Action: "member.lapse", TargetType: "member", TargetID: id})
		})
		if err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// Confirmation is where a member stands with her role confirmation.
type Confirmation struct {
	Asked     *time.Time
	Confirmed time.Time // zero when never
	Due       bool
	Lapsed    bool
}

// ConfirmationOf returns m's confirmation state.
func (s *Service) ConfirmationOf(ctx context.Context, m *forum.Member) (*Confirmation, error) {
	if m.Status != forum.StatusApproved && m.Status != forum.StatusLapsed {
		return nil, forum.Refuse(forum.ErrForbidden, "error.not_member")
	}
	var row struct {
		Asked     sql.NullTime `db:"confirm_asked_at"`
		Confirmed sql.NullTime `db:"role_confirmed_at"`
		Approved  sql.NullTime `db:"approved_at"`
	}
	if err := s.Store.DB.GetContext(ctx, &row, `SELECT confirm_asked_at, role_confirmed_at, approved_at
		FROM members WHERE id = ?`, m.ID); err != nil {
		return nil, forum.Translate(err)
	}
	c := &Confirmation{Lapsed: m.Status == forum.StatusLapsed}
	if row.Asked.Valid {
		c.Asked = &row.Asked.Time
	}
	if row.Confirmed.Valid {
		c.Confirmed = row.Confirmed.Time
	} else if row.Approved.Valid {
		c.Confirmed = row.Approved.Time
	}
	c.Due = c.Lapsed || c.Asked != nil
	return c, nil
}

// ConfirmRole is a member confirming (or correcting) her role line: role,
// organisation and sector. A lapsed member is a member again. Correcting
// is allowed, since roles change; the audit log says it was changed.
func (s *Service) ConfirmRole(ctx context.Context, m *forum.Member, role, workplace, sector string) error {
	if m.Status != forum.StatusApproved && m.Status != forum.StatusLapsed {
		return forum.Refuse(forum.ErrForbidden, "error.not_member")
	}
	v := &forum.ValidationError{}
	role = forum.CheckText(v, "role", role, 2, 200, false)
	workplace = forum.CheckText(v, "workplace", workplace, 2, 200, false)
	code, ok := sectorAliases[sector]
	if !ok {
		v.Add("sector", "error.field.choice")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		if err := s.Store.ConfirmRole(ctx, tx, m.ID, forum.VerifiedRole{RoleTitle: role, Workplace: workplace, Sector: code}); err != nil {
			return err
		}
		detail := "unchanged"
		if role != m.RoleTitle || workplace != m.Workplace || code != m.Sector {
			detail = "changed"
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: m.ID, Action: "member.confirm_role", TargetType: "member", TargetID: m.ID, Detail: detail})
	})
}

// Lapsed lists the members who lapsed, for moderators.
func (s *Service) Lapsed(ctx context.Context, actor *forum.Member) ([]forum.Member, error) {
	if !actor.IsModerator() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.moderator_only")
	}
	var ms []forum.Member
	err := s.Store.DB.SelectContext(ctx, &ms, `SELECT id, username, display_name, role_title, workplace, sector FROM members
		WHERE status = 'lapsed' ORDER BY display_name LIMIT 500`)
	return ms, err
}
