package moderation

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// Reason is a ready-made rejection reason. A built-in one takes its words
// from the catalog (join.reason.<code>) until an admin rewords it.
type Reason struct {
	ID       int64      `db:"id"`
	Code     string     `db:"code"`
	Position int        `db:"position"`
	TextSV   string     `db:"text_sv"`
	TextEN   string     `db:"text_en"`
	Archived *time.Time `db:"archived_at"`
}

// Builtin reports whether the reason came with Kliv.
func (r *Reason) Builtin() bool {
	for _, c := range RejectReasons {
		if c == r.Code {
			return true
		}
	}
	return false
}

// Text is the reason in lang.
func (s *Service) Text(r *Reason, lang string) string {
	if t := pick(lang, r.TextSV, r.TextEN); t != "" {
		return t
	}
	return s.I18n.T(lang, "join.reason."+r.Code)
}

// Reasons lists the ready-made reasons in order; with archived, the
// retired ones too.
func (s *Service) Reasons(ctx context.Context, archived bool) ([]Reason, error) {
	where := "WHERE archived_at IS NULL"
	if archived {
		where = ""
	}
	var rs []Reason
	err := s.Store.DB.SelectContext(ctx, &rs, `SELECT id, code, position, text_sv, text_en, archived_at FROM reject_reasons `+where+`
		ORDER BY archived_at IS NOT NULL, position, id`)
	return rs, err
}

func (s *Service) reasonByCode(ctx context.Context, q sqlx.QueryerContext, code string) (*Reason, error) {
	var r Reason
	err := sqlx.GetContext(ctx, q, &r, `SELECT id, code, position, text_sv, text_en, archived_at FROM reject_reasons WHERE code = ?`, code)
	if err != nil {
		return nil, forum.Translate(err)
	}
	return &r, nil
}

// ReasonText shows a stored reason in lang: a ready-made one in words,
// free text as written.
func (s *Service) ReasonText(ctx context.Context, lang, reason string) string {
	code, ok := strings.CutPrefix(reason, "preset:")
	if !ok {
		return reason
	}
	r, err := s.reasonByCode(ctx, s.Store.DB, code)
	if err != nil {
		return s.I18n.T(lang, "join.reason."+code)
	}
	return s.Text(r, lang)
}

// normalizeReason checks a rejection reason: a ready-made code (with or
// without "preset:") becomes "preset:<code>", anything else is free text.
func (s *Service) normalizeReason(ctx context.Context, q sqlx.QueryerContext, reason string) (string, error) {
	v := &forum.ValidationError{}
	reason = forum.CheckText(v, "reason", reason, 1, 1000, true)
	if err := v.Err(); err != nil {
		return "", err
	}
	code := strings.TrimPrefix(reason, "preset:")
	if r, err := s.reasonByCode(ctx, q, code); err == nil && (r.Archived == nil || strings.HasPrefix(reason, "preset:")) {
		return "preset:" + code, nil
	}
	return reason, nil
}

// auditReason is what the audit log keeps of a reason: the code of a
// ready-made one, and only the fact of a free-text one, since free text
// may name the applicant.
func auditReason(reason string) string {
	if strings.HasPrefix(reason, "preset:") {
		return reason
	}
	if reason == "" {
		return ""
	}
	return "free_text"
}

// ReasonInput is what an admin writes for a reason.
type ReasonInput struct {
	TextSV string
	TextEN string
}

func (in *ReasonInput) check(v *forum.ValidationError, builtin bool) {
	min := 5
	if builtin {
		min = 0
	}
	in.TextSV = forum.CheckText(v, "text_sv", in.TextSV, min, 500, false)
	in.TextEN = forum.CheckText(v, "text_en", in.TextEN, min, 500, false)
}

// AddReason adds a ready-made reason at the end; admins only.
func (s *Service) AddReason(ctx context.Context, actor *forum.Member, in ReasonInput) (*Reason, error) {
	if !actor.IsAdmin() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	v := &forum.ValidationError{}
	in.check(v, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var id int64
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		var pos int
		if err := tx.GetContext(ctx, &pos, `SELECT COALESCE(MAX(position), 0) + 1 FROM reject_reasons`); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &id, `SELECT COALESCE(MAX(id), 0) + 1 FROM reject_reasons`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reject_reasons (id, code, position, text_sv, text_en) VALUES (?, ?, ?, ?, ?)`,
			id, "r"+strconv.FormatInt(id, 10), pos, in.TextSV, in.TextEN); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "reject_reason.add", TargetType: "reject_reason", TargetID: id})
	})
	if err != nil {
		return nil, err
	}
	var r Reason
	err = s.Store.DB.GetContext(ctx, &r, `SELECT id, code, position, text_sv, text_en, archived_at FROM reject_reasons WHERE id = ?`, id)
	return &r, err
}

// UpdateReason rewords a reason (empty words give a built-in one its
// catalog words back); admins only.
func (s *Service) UpdateReason(ctx context.Context, actor *forum.Member, id int64, in ReasonInput) error {
	if !actor.IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		var r Reason
		if err := tx.GetContext(ctx, &r, `SELECT id, code, position, text_sv, text_en, archived_at FROM reject_reasons WHERE id = ?`, id); err != nil {
			return forum.Translate(err)
		}
		v := &forum.ValidationError{}
		in.check(v, r.Builtin())
		if err := v.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reject_reasons SET text_sv = ?, text_en = ? WHERE id = ?`, in.TextSV, in.TextEN, id); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "reject_reason.update", TargetType: "reject_reason", TargetID: id})
	})
}

// RemoveReason takes a reason off the list (requests rejected with it
// keep their words); admins only.
func (s *Service) RemoveReason(ctx context.Context, actor *forum.Member, id int64) error {
	if !actor.IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE reject_reasons SET archived_at = ? WHERE id = ? AND archived_at IS NULL`, s.now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.GetContext(ctx, &one, `SELECT 1 FROM reject_reasons WHERE id = ?`, id); err != nil {
				return forum.Translate(err)
			}
			return nil
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "reject_reason.remove", TargetType: "reject_reason", TargetID: id})
	})
}

// AuditReasonText shows an audit line's reason in lang: a ready-made
// reason in words, and the mark of a free-text one (whose words the log
// does not keep).
func (s *Service) AuditReasonText(ctx context.Context, lang, reason string) string {
	if reason == "free_text" {
		return s.I18n.T(lang, "screening.audit.free_text")
	}
	return s.ReasonText(ctx, lang, reason)
}
