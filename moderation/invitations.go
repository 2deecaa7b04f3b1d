package moderation

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// MaxInvitations is how many addresses one call may invite.
const MaxInvitations = 500

// Invited is one invitation made: the address and its link.
type Invited struct {
	ID    int64
	Email string
	URL   string
}

// InviteResult is what inviting a list did.
type InviteResult struct {
	Invited []Invited
	// Skipped are addresses that already have an account.
	Skipped []string
}

// ParseEmails splits a pasted or uploaded list into addresses: by line,
// comma, semicolon or space, with "Name <addr>" forms and a CSV's other
// columns tolerated (the field holding an @ is taken).
func ParseEmails(text string) []string {
	var out []string
	f := func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' || r == '\t' || r == ' ' }
	for _, tok := range strings.FieldsFunc(text, f) {
		tok = strings.Trim(tok, `"'<>()[]`)
		if tok != "" && strings.Contains(tok, "@") {
			out = append(out, tok)
		}
	}
	return out
}

// Invite invites each address in one transaction: a single-use link that
// expires after Policy.InviteFor, mailed through the outbox in lang. A
// bad address refuses the whole list, naming each bad one; an address
// that already has an account is skipped; the same address twice is
// invited once. Admins only.
func (s *Service) Invite(ctx context.Context, actor *forum.Member, emails []string, lang string) (*InviteResult, error) {
	if !actor.IsAdmin() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	if len(emails) == 0 {
		return nil, forum.Invalid("emails", "error.field.required")
	}
	if len(emails) > MaxInvitations {
		return nil, forum.Invalid("emails", "screening.error.too_many", MaxInvitations)
	}
	var bad, clean []string
	seen := map[string]bool{}
	for _, e := range emails {
		v := &forum.ValidationError{}
		norm := forum.CheckEmail(v, "email", e)
		if v.Err() != nil {
			bad = append(bad, strings.TrimSpace(e))
			continue
		}
		if k := strings.ToLower(norm); !seen[k] {
			seen[k] = true
			clean = append(clean, norm)
		}
	}
	if len(bad) > 0 {
		return nil, forum.Invalid("emails", "screening.error.bad_emails", strings.Join(bad, ", "))
	}
	lang = mailLang(lang)
	res := &InviteResult{}
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		now := s.now()
		for _, e := range clean {
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM members WHERE email = ? AND status <> 'deleted'`, e); err != nil {
				return err
			}
			if n > 0 {
				res.Skipped = append(res.Skipped, e)
				continue
			}
			tok := forum.NewToken()
			id, err := forum.InsertID(ctx, tx, `INSERT INTO invitations (email, token_hash, invited_by, lang, created_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?)`, e, forum.HashToken(tok), actor.ID, lang, now, now.Add(s.InviteFor))
			if err != nil {
				return err
			}
			url := s.Store.BaseURL + "/invite?t=" + tok
			days := int(s.InviteFor / (24 * time.Hour))
			if err := s.Store.Enqueue(ctx, tx, forum.Mail{Kind: "invitation", To: e,
				Subject: s.I18n.T(lang, "screening.mail.invite.subject"),
				Body:    s.I18n.T(lang, "screening.mail.invite.body", actor.DisplayName, url, days)}); err != nil {
				return err
			}
			if err := s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "invitation.create", TargetType: "invitation", TargetID: id}); err != nil {
				return err
			}
			res.Invited = append(res.Invited, Invited{ID: id, Email: e, URL: url})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Invitation is an invitation as stored.
type Invitation struct {
	ID        int64      `db:"id"`
	Email     string     `db:"email"`
	InvitedBy *string    `db:"invited_by"`
	InviterID *int64     `db:"inviter_id"`
	Lang      string     `db:"lang"`
	CreatedAt time.Time  `db:"created_at"`
	ExpiresAt time.Time  `db:"expires_at"`
	UsedAt    *time.Time `db:"used_at"`
	Member    *string    `db:"member"`
}

const invitationCols = `i.id, i.email, (SELECT username FROM members m WHERE m.id = i.invited_by) AS invited_by, i.invited_by AS inviter_id,
	i.lang, i.created_at, i.expires_at, i.used_at, (SELECT username FROM members m WHERE m.id = i.member_id) AS member`

// Invitations lists the newest invitations, for admins.
func (s *Service) Invitations(ctx context.Context, actor *forum.Member, limit int) ([]Invitation, error) {
	if !actor.IsAdmin() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	var is []Invitation
	err := s.Store.DB.SelectContext(ctx, &is, `SELECT `+invitationCols+` FROM invitations i ORDER BY i.created_at DESC, i.id DESC LIMIT ?`, limit)
	return is, err
}

// InvitationByToken returns the unused, unexpired invitation of a link's
// token; any other token is ErrNotFound.
func (s *Service) InvitationByToken(ctx context.Context, tok string) (*Invitation, error) {
	return s.invitationByToken(ctx, s.Store.DB, tok)
}

func (s *Service) invitationByToken(ctx context.Context, q sqlx.QueryerContext, tok string) (*Invitation, error) {
	if tok == "" || len(tok) > 200 {
		return nil, forum.ErrNotFound
	}
	var inv Invitation
	err := sqlx.GetContext(ctx, q, &inv, `SELECT `+invitationCols+` FROM invitations i
		WHERE i.token_hash = ? AND i.used_at IS NULL AND i.expires_at > ?`, forum.HashToken(tok), s.now())
	if err != nil {
		return nil, forum.Translate(err)
	}
	return &inv, nil
}

// AcceptInvitation is the invited person's join form: her account, her
// answers to the same questions as every applicant, and her request
// approved at once by the invitation, in one transaction. The audit log
// says by which invitation. The address is the invitation's.
func (s *Service) AcceptInvitation(ctx context.Context, tok string, a Application) (*JoinRequest, *forum.Member, error) {
	inv, err := s.InvitationByToken(ctx, tok)
	if err != nil {
		return nil, nil, err
	}
	a.Email = inv.Email
	v := &forum.ValidationError{}
	nm := forum.NewMember{Username: a.Username, Email: a.Email, DisplayName: a.DisplayName, Password: a.Password,
		Role: forum.RoleMember, Status: forum.StatusPending, Lang: a.Lang}
	nm.Validate(v)
	extra, err := s.checkAnswers(ctx, s.Store.DB, v, &a.Answers, a.AcceptRules)
	if err != nil {
		return nil, nil, err
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	var m *forum.Member
	var jr *JoinRequest
	err = forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		// Spent in this transaction, or by a parallel use: once only.
		inv, err := s.invitationByToken(ctx, tx, tok)
		if err != nil {
			return err
		}
		if m, err = s.Store.CreateMember(ctx, tx, nm); err != nil {
			return err
		}
		now := s.now()
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ?, member_id = ? WHERE id = ? AND used_at IS NULL`, now, m.ID, inv.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return forum.ErrNotFound
		}
		if jr, err = s.insertRequest(ctx, tx, m.ID, a.Answers, extra, JoinPending, &inv.ID); err != nil {
			return err
		}
		var inviter any
		var inviterID int64
		if inv.InviterID != nil {
			inviter, inviterID = *inv.InviterID, *inv.InviterID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE join_requests SET status = 'approved', decided_by = ?, decided_at = ? WHERE id = ?`,
			inviter, now, jr.ID); err != nil {
			return err
		}
		if err := s.Store.ApproveMember(ctx, tx, m.ID, forum.VerifiedRole{RoleTitle: a.Answers.Role, Workplace: a.Answers.Workplace, Sector: a.Answers.Sector}); err != nil {
			return err
		}
		if err := s.event(ctx, tx, jr.ID, "invited", inviterID, "", nil); err != nil {
			return err
		}
		if err := s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: inviterID, Action: "join_request.approve", TargetType: "join_request",
			TargetID: jr.ID, Detail: "invitation:" + strconv.FormatInt(inv.ID, 10)}); err != nil {
			return err
		}
		if m, err = s.Store.MemberIn(ctx, tx, m.Username); err != nil {
			return err
		}
		jr, err = s.joinRequest(ctx, tx, jr.ID)
		return err
	})
	if err != nil {
		if errors.Is(err, forum.ErrNotFound) {
			return nil, nil, forum.Refuse(forum.ErrNotFound, "screening.error.invitation_used")
		}
		return nil, nil, err
	}
	return jr, m, nil
}
