package moderation

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"kliv/forum"
)

// The built-in questions: the API's answers, which always exist.
var builtinKeys = []string{"workplace", "role", "staff_responsibility", "sector", "motivation"}

// optionalBuiltins are the built-in questions an admin may make
// optional: the others are what the network's membership rests on.
var optionalBuiltins = map[string]bool{"motivation": true}

// Question is one question of the join form.
type Question struct {
	ID       int64      `db:"id"`
	Key      string     `db:"key"`
	Kind     string     `db:"kind"` // builtin, text, yesno
	Position int        `db:"position"`
	Required bool       `db:"required"`
	LabelSV  string     `db:"label_sv"`
	LabelEN  string     `db:"label_en"`
	HintSV   string     `db:"hint_sv"`
	HintEN   string     `db:"hint_en"`
	Archived *time.Time `db:"archived_at"`
}

// Builtin reports whether it is one of the five built-in questions.
func (q *Question) Builtin() bool { return q.Kind == "builtin" }

// CanBeOptional reports whether an admin may make it optional.
func (q *Question) CanBeOptional() bool { return !q.Builtin() || optionalBuiltins[q.Key] }

// Label is the question in lang: the admin's words, or the catalog's.
func (s *Service) Label(q *Question, lang string) string {
	if l := pick(lang, q.LabelSV, q.LabelEN); l != "" {
		return l
	}
	if q.Builtin() {
		return s.I18n.T(lang, "field."+q.Key)
	}
	return q.Key
}

// Hint is the question's hint in lang ("" for none).
func (s *Service) Hint(q *Question, lang string) string {
	if h := pick(lang, q.HintSV, q.HintEN); h != "" {
		return h
	}
	if q.Builtin() && q.Key != "sector" {
		return s.I18n.T(lang, "hint."+q.Key)
	}
	return ""
}

// pick is the text in lang, falling back to the other language.
func pick(lang, sv, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	if sv != "" {
		return sv
	}
	return en
}

const questionCols = `id, key, kind, position, required, label_sv, label_en, hint_sv, hint_en, archived_at`

// Questions returns the join form's questions in order; with archived,
// the retired ones too (last).
func (s *Service) Questions(ctx context.Context, archived bool) ([]Question, error) {
	return s.questions(ctx, s.Store.DB, archived)
}

func (s *Service) questions(ctx context.Context, q sqlx.QueryerContext, archived bool) ([]Question, error) {
	where := "WHERE archived_at IS NULL"
	if archived {
		where = ""
	}
	var qs []Question
	err := sqlx.SelectContext(ctx, q, &qs, `SELECT `+questionCols+` FROM join_questions `+where+`
		ORDER BY archived_at IS NOT NULL, position, id`)
	return qs, err
}

// QuestionInput is what an admin writes for a question.
type QuestionInput struct {
	Kind     string // text or yesno, for a new question
	Required bool
	LabelSV  string
	LabelEN  string
	HintSV   string
	HintEN   string
}

func (in *QuestionInput) check(v *forum.ValidationError, builtin bool) {
	min := 3
	if builtin {
		min = 0 // empty: the built-in words
	}
	in.LabelSV = forum.CheckText(v, "label_sv", in.LabelSV, min, 200, false)
	in.LabelEN = forum.CheckText(v, "label_en", in.LabelEN, min, 200, false)
	in.HintSV = forum.CheckText(v, "hint_sv", in.HintSV, 0, 300, false)
	in.HintEN = forum.CheckText(v, "hint_en", in.HintEN, 0, 300, false)
}

// AddQuestion adds a free-text or yes/no question at the end; admins only.
func (s *Service) AddQuestion(ctx context.Context, actor *forum.Member, in QuestionInput) (*Question, error) {
	if !actor.IsAdmin() {
		return nil, forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	v := &forum.ValidationError{}
	if in.Kind != "text" && in.Kind != "yesno" {
		v.Add("kind", "error.field.choice")
	}
	in.check(v, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var id int64
	err := forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		var pos int
		if err := tx.GetContext(ctx, &pos, `SELECT COALESCE(MAX(position), 0) + 1 FROM join_questions`); err != nil {
			return err
		}
		// The key is made from the id, so it never changes.
		if err := tx.GetContext(ctx, &id, `SELECT COALESCE(MAX(id), 0) + 1 FROM join_questions`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO join_questions (id, key, kind, position, required, label_sv, label_en, hint_sv, hint_en)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, "q"+strconv.FormatInt(id, 10), in.Kind, pos, in.Required,
			in.LabelSV, in.LabelEN, in.HintSV, in.HintEN); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "join_question.add", TargetType: "join_question", TargetID: id})
	})
	if err != nil {
		return nil, err
	}
	return s.question(ctx, s.Store.DB, id)
}

func (s *Service) question(ctx context.Context, q sqlx.QueryerContext, id int64) (*Question, error) {
	var qu Question
	if err := sqlx.GetContext(ctx, q, &qu, `SELECT `+questionCols+` FROM join_questions WHERE id = ?`, id); err != nil {
		return nil, forum.Translate(err)
	}
	return &qu, nil
}

// UpdateQuestion rewords a question and sets whether it must be
// answered; admins only. A built-in question keeps its kind, and only
// some may be optional.
func (s *Service) UpdateQuestion(ctx context.Context, actor *forum.Member, id int64, in QuestionInput) error {
	if !actor.IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		q, err := s.question(ctx, tx, id)
		if err != nil {
			return err
		}
		v := &forum.ValidationError{}
		in.check(v, q.Builtin())
		if !in.Required && !q.CanBeOptional() {
			v.Add("required", "screening.error.must_be_required")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE join_questions SET required = ?, label_sv = ?, label_en = ?, hint_sv = ?, hint_en = ?
			WHERE id = ?`, in.Required, in.LabelSV, in.LabelEN, in.HintSV, in.HintEN, id); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "join_question.update", TargetType: "join_question", TargetID: id})
	})
}

// MoveQuestion moves a question one place up (delta -1) or down (+1);
// admins only.
func (s *Service) MoveQuestion(ctx context.Context, actor *forum.Member, id int64, delta int) error {
	if !actor.IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	if delta != -1 && delta != 1 {
		return forum.Invalid("direction", "error.field.choice")
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		qs, err := s.questions(ctx, tx, false)
		if err != nil {
			return err
		}
		i := -1
		for k := range qs {
			if qs[k].ID == id {
				i = k
			}
		}
		if i < 0 {
			return forum.ErrNotFound
		}
		j := i + delta
		if j < 0 || j >= len(qs) {
			return nil // already first or last
		}
		qs[i], qs[j] = qs[j], qs[i]
		for k := range qs {
			if _, err := tx.ExecContext(ctx, `UPDATE join_questions SET position = ? WHERE id = ?`, k+1, qs[k].ID); err != nil {
				return err
			}
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "join_question.move", TargetType: "join_question", TargetID: id})
	})
}

// RemoveQuestion takes an added question off the form; admins only. The
// answers already given stay with their requests. Built-in questions
// cannot be removed.
func (s *Service) RemoveQuestion(ctx context.Context, actor *forum.Member, id int64) error {
	if !actor.IsAdmin() {
		return forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	return forum.InTx(ctx, s.Store.DB, func(tx *sqlx.Tx) error {
		q, err := s.question(ctx, tx, id)
		if err != nil {
			return err
		}
		if q.Builtin() {
			return forum.Refuse(forum.ErrConflict, "screening.error.builtin_question")
		}
		if q.Archived != nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE join_questions SET archived_at = ? WHERE id = ?`, s.now(), id); err != nil {
			return err
		}
		return s.Store.Audit(ctx, tx, forum.AuditLine{ActorID: actor.ID, Action: "join_question.remove", TargetType: "join_question", TargetID: id})
	})
}

// ExtraAnswer is the answer to an added question, as shown.
type ExtraAnswer struct {
	QuestionID int64  `db:"question_id"`
	Key        string `db:"key"`
	Kind       string `db:"kind"`
	LabelSV    string `db:"label_sv"`
	LabelEN    string `db:"label_en"`
	Value      string `db:"value"`
}

// Label is the question in lang.
func (e *ExtraAnswer) Label(lang string) string { return pick(lang, e.LabelSV, e.LabelEN) }

// checkExtra validates the answers to the added questions: text trimmed
// and bounded, yes/no as "yes" or "no", required ones present. Answers
// to unknown questions are refused.
func checkExtra(v *forum.ValidationError, qs []Question, extra map[string]string) map[int64]string {
	out := map[int64]string{}
	known := map[string]bool{}
	for _, q := range qs {
		if q.Builtin() {
			continue
		}
		known[q.Key] = true
		val := strings.TrimSpace(extra[q.Key])
		switch q.Kind {
		case "yesno":
			switch strings.ToLower(val) {
			case "yes", "ja", "true":
				val = "yes"
			case "no", "nej", "false":
				val = "no"
			case "":
			default:
				v.Add(q.Key, "error.field.choice")
				continue
			}
		default:
			val = forum.CheckText(v, q.Key, val, 0, 2000, true)
		}
		if val == "" {
			if q.Required {
				v.Add(q.Key, "error.field.required")
			}
			continue
		}
		out[q.ID] = val
	}
	for k := range extra {
		if !known[k] {
			v.Add(k, "screening.error.unknown_question")
		}
	}
	return out
}

func (s *Service) saveExtra(ctx context.Context, tx *sqlx.Tx, requestID int64, vals map[int64]string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM join_answers WHERE request_id = ?`, requestID); err != nil {
		return err
	}
	for qid, val := range vals {
		if _, err := tx.ExecContext(ctx, `INSERT INTO join_answers (request_id, question_id, value) VALUES (?, ?, ?)`, requestID, qid, val); err != nil {
			return err
		}
	}
	return nil
}

// fillExtra loads the added questions' answers of the requests.
func (s *Service) fillExtra(ctx context.Context, q sqlx.QueryerContext, js []JoinRequest) error {
	if len(js) == 0 {
		return nil
	}
	ids := make([]any, len(js))
	at := map[int64]int{}
	for i := range js {
		ids[i] = js[i].ID
		at[js[i].ID] = i
	}
	var rows []struct {
		RequestID int64 `db:"request_id"`
		ExtraAnswer
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT a.request_id, a.question_id, q.key, q.kind, q.label_sv, q.label_en, a.value
		FROM join_answers a JOIN join_questions q ON q.id = a.question_id
		WHERE a.request_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY q.position, q.id`, ids...)
	if err != nil {
		return err
	}
	for _, r := range rows {
		j := &js[at[r.RequestID]]
		j.Extra = append(j.Extra, r.ExtraAnswer)
	}
	return nil
}

// MarshalJSON writes the answers flat, the added questions' answers
// beside the built-in ones, keyed by question key.
func (a Answers) MarshalJSON() ([]byte, error) {
	m := map[string]any{"workplace": a.Workplace, "role": a.Role, "staff_responsibility": a.StaffResponsibility,
		"sector": a.Sector, "motivation": a.Motivation}
	for k, v := range a.Extra {
		m[k] = v
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads flat answers: the built-in keys into their fields,
// any other key (an added question) into Extra; a yes/no answer may be a
// JSON boolean.
func (a *Answers) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	str := func(raw json.RawMessage) (string, error) {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s, nil
		}
		var bl bool
		if err := json.Unmarshal(raw, &bl); err == nil {
			if bl {
				return "yes", nil
			}
			return "no", nil
		}
		if string(raw) == "null" {
			return "", nil
		}
		return "", &json.UnmarshalTypeError{Value: "value", Type: reflect.TypeOf("")}
	}
	*a = Answers{}
	for k, raw := range m {
		var err error
		switch k {
		case "workplace":
			a.Workplace, err = str(raw)
		case "role":
			a.Role, err = str(raw)
		case "sector":
			a.Sector, err = str(raw)
		case "motivation":
			a.Motivation, err = str(raw)
		case "staff_responsibility":
			if json.Unmarshal(raw, &a.StaffResponsibility) != nil {
				err = &json.UnmarshalTypeError{Value: "value", Type: reflect.TypeOf(true)}
			}
		default:
			var v string
			if v, err = str(raw); err == nil {
				if a.Extra == nil {
					a.Extra = map[string]string{}
				}
				a.Extra[k] = v
			}
		}
		if ute, ok := err.(*json.UnmarshalTypeError); ok {
			ute.Field = k // named like the form's field
			return ute
		}
	}
	return nil
}

// Setup returns the questions and ready-made reasons for the admin page
// that edits them; admins only.
func (s *Service) Setup(ctx context.Context, actor *forum.Member) ([]Question, []Reason, error) {
	if !actor.IsAdmin() {
		return nil, nil, forum.Refuse(forum.ErrForbidden, "error.admin_only")
	}
	qs, err := s.Questions(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	rs, err := s.Reasons(ctx, false)
	return qs, rs, err
}
