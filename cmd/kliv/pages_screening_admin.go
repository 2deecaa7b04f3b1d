package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kliv/moderation"
)

// The admin pages for the join questions and the ready-made rejection
// reasons.

type questionsPage struct {
	Page
	Questions []moderation.Question
	Reasons   []moderation.Reason
	// EditID is the question or reason whose form failed (its values are
	// in Form).
	EditID int64
	svc    *moderation.Service
}

// Label and Hint show a question in the reader's language.
func (p *questionsPage) Label(q *moderation.Question) string { return p.svc.Label(q, p.L.Lang) }

// ReasonText shows a reason in the reader's language.
func (p *questionsPage) ReasonText(r *moderation.Reason) string { return p.svc.Text(r, p.L.Lang) }

func (a *app) renderQuestions(c *gin.Context, code int, f *Form, editID int64) error {
	qs, rs, err := a.mod.Setup(c.Request.Context(), viewer(c))
	if err != nil {
		return err
	}
	p := &questionsPage{Page: a.base(c, "screening.questions.title"), Questions: qs, Reasons: rs, EditID: editID}
	p.svc = a.mod
	p.Form = f
	return a.render(c, code, "screening_questions", p)
}

func (a *app) pageQuestions(c *gin.Context) error { return a.renderQuestions(c, http.StatusOK, nil, 0) }

func questionInput(c *gin.Context) moderation.QuestionInput {
	return moderation.QuestionInput{Kind: c.PostForm("kind"), Required: c.PostForm("required") != "",
		LabelSV: c.PostForm("label_sv"), LabelEN: c.PostForm("label_en"), HintSV: c.PostForm("hint_sv"), HintEN: c.PostForm("hint_en")}
}

var questionFormFields = []string{"kind", "required", "label_sv", "label_en", "hint_sv", "hint_en"}

func (a *app) questionFailed(c *gin.Context, err error, id int64, fields ...string) error {
	f := newForm(c, fields...)
	if !f.fill(a.loc(c), err) {
		return err
	}
	screeningLabels(f, a.loc(c))
	return a.renderQuestions(c, formStatus(err), f, id)
}

func (a *app) postAddQuestion(c *gin.Context) error {
	if _, err := a.mod.AddQuestion(c.Request.Context(), viewer(c), questionInput(c)); err != nil {
		return a.questionFailed(c, err, -1, questionFormFields...)
	}
	a.flash(c, "screening.questions.saved")
	return redirect(c, "/admin/join-questions")
}

func (a *app) postQuestion(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	switch c.PostForm("action") {
	case "up":
		err = a.mod.MoveQuestion(ctx, m, id, -1)
	case "down":
		err = a.mod.MoveQuestion(ctx, m, id, 1)
	case "remove":
		err = a.mod.RemoveQuestion(ctx, m, id)
	default:
		if err = a.mod.UpdateQuestion(ctx, m, id, questionInput(c)); err != nil {
			return a.questionFailed(c, err, id, questionFormFields...)
		}
	}
	if err != nil {
		return err
	}
	a.flash(c, "screening.questions.saved")
	return redirect(c, "/admin/join-questions")
}

func (a *app) postAddReason(c *gin.Context) error {
	in := moderation.ReasonInput{TextSV: c.PostForm("text_sv"), TextEN: c.PostForm("text_en")}
	if _, err := a.mod.AddReason(c.Request.Context(), viewer(c), in); err != nil {
		return a.questionFailed(c, err, -2, "text_sv", "text_en")
	}
	a.flash(c, "screening.questions.saved")
	return redirect(c, "/admin/join-questions#reasons")
}

func (a *app) postReason(c *gin.Context) error {
	id, err := paramID(c, "id")
	if err != nil {
		return err
	}
	ctx, m := c.Request.Context(), viewer(c)
	if c.PostForm("action") == "remove" {
		err = a.mod.RemoveReason(ctx, m, id)
	} else {
		in := moderation.ReasonInput{TextSV: c.PostForm("text_sv"), TextEN: c.PostForm("text_en")}
		if err = a.mod.UpdateReason(ctx, m, id, in); err != nil {
			return a.questionFailed(c, err, -100-id, "text_sv", "text_en")
		}
	}
	if err != nil {
		return err
	}
	a.flash(c, "screening.questions.saved")
	return redirect(c, "/admin/join-questions#reasons")
}

// QFields are the inputs of a question's words.
func (p *questionsPage) QFields() []string {
	return []string{"label_sv", "label_en", "hint_sv", "hint_en"}
}
