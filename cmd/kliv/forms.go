package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"kliv/forum"
	"kliv/i18n"
)

var errNotFound = forum.ErrNotFound

// Form is a submitted form for re-display: what was typed and the
// messages per field, already translated.
type Form struct {
	Values map[string]string
	Errors map[string]string
	Order  []string
	Labels map[string]string
	// Message is a form-wide message (not about one field).
	Message string
	// fields are the form's fields in the order it shows them, which is
	// the order of the error summary; labels name a field by another key
	// than "field."+name (the reply form's "body" is "Ditt svar"); choices
	// are the fields answered by picking (radio buttons, a select), whose
	// "required" message asks to choose rather than to fill in.
	fields  []string
	labels  map[string]string
	choices map[string]bool
}

// FieldError is one line of the error summary.
type FieldError struct {
	Field, Label, Message string
}

// Text is the summary line: "Rubrik: Fyll i rubriken." — without the colon
// after a label that is a question ("Har du medarbetaransvar? Välj …").
func (e FieldError) Text() string { return labelled(e.Label, e.Message) }

// labelled joins a field's label and its message.
func labelled(label, msg string) string {
	if label == "" {
		return msg
	}
	if strings.HasSuffix(label, "?") || strings.HasSuffix(label, ":") {
		return label + " " + msg
	}
	return label + ": " + msg
}

// shaped sets the form's field order (as the page shows them), labels by
// another catalog key, and which fields are choices; call it before fill.
func (f *Form) shaped(order []string, labels map[string]string, choices ...string) *Form {
	f.fields = order
	f.labels = labels
	f.choices = map[string]bool{}
	for _, c := range choices {
		f.choices[c] = true
	}
	return f
}

// Get returns the typed value of a field.
func (f *Form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// Err returns a field's message, or "".
func (f *Form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Checked reports whether a checkbox was ticked.
func (f *Form) Checked(name string) bool {
	v := f.Get(name)
	return v != "" && v != "0" && v != "false"
}

// Is reports whether a field has the given value (radio buttons, selects).
func (f *Form) Is(name, value string) bool { return f.Get(name) == value }

// Summary lists the errors in form order for the summary at the top.
func (f *Form) Summary() []FieldError {
	if f == nil {
		return nil
	}
	out := make([]FieldError, 0, len(f.Order))
	for _, name := range f.Order {
		out = append(out, FieldError{Field: name, Label: f.Labels[name], Message: f.Errors[name]})
	}
	if len(f.fields) > 0 {
		pos := func(name string) int {
			for i, n := range f.fields {
				if n == name {
					return i
				}
			}
			return len(f.fields)
		}
		sort.SliceStable(out, func(i, j int) bool { return pos(out[i].Field) < pos(out[j].Field) })
	}
	return out
}

// HasErrors reports whether anything failed.
func (f *Form) HasErrors() bool { return f != nil && (len(f.Errors) > 0 || f.Message != "") }

// newForm captures the posted fields (never passwords) for re-display.
func newForm(c *gin.Context, fields ...string) *Form {
	f := &Form{Values: map[string]string{}, Errors: map[string]string{}, Labels: map[string]string{}}
	for _, name := range fields {
		f.Values[name] = c.PostForm(name)
	}
	return f
}

// fill adds an error's messages to the form: per field for a
// ValidationError, a form-wide message for a refusal. It reports false
// for errors a form cannot show (they go to the error page).
func (f *Form) fill(l i18n.Localizer, err error) bool {
	var ve *forum.ValidationError
	if errors.As(err, &ve) {
		for _, name := range ve.Order {
			m := ve.Fields[name]
			key := m.Key
			if key == "error.field.required" && f.choices[name] {
				key = "error.field.choice"
			}
			f.Errors[name] = l.T(key, m.Args...)
			if lk, ok := f.labels[name]; ok {
				f.Labels[name] = l.T(lk)
			} else {
				f.Labels[name] = l.T("field." + name)
			}
			f.Order = append(f.Order, name)
		}
		return true
	}
	var ue *forum.UserError
	if errors.As(err, &ue) && !errors.Is(err, forum.ErrNotFound) {
		f.Message = l.T(ue.Msg.Key, ue.Msg.Args...)
		return true
	}
	return false
}

// formStatus is the status a form with errors is shown with.
func formStatus(err error) int {
	code, _ := status(err)
	if forum.IsUnavailable(err) {
		// The form comes back filled with a 503 (and Retry-After, see
		// render): nothing was wrong with what she typed.
		return http.StatusServiceUnavailable
	}
	if code >= 500 {
		return http.StatusBadRequest
	}
	return code
}

// decodeJSON reads a JSON body into v: too large 413, not UTF-8 or not
// JSON 400.
func decodeJSON(c *gin.Context, v any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return fmt.Errorf("%w: %v", errBadJSON, err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !utf8.Valid(body) {
		// encoding/json would quietly turn the bad bytes into U+FFFD;
		// refuse them instead, naming the field that holds them.
		v := &forum.ValidationError{}
		badUTF8Fields(v, body)
		if v.Err() == nil {
			v.Add("body", "error.field.utf8")
		}
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field != "" {
			// A nested field ("answers.sector") is named like the form's.
			field := ute.Field[strings.LastIndexByte(ute.Field, '.')+1:]
			return forum.Invalid(field, "error.field.type")
		}
		return fmt.Errorf("%w: %v", errBadJSON, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: trailing data", errBadJSON)
	}
	return nil
}

// badUTF8Fields adds a message for each member of the JSON object raw
// whose value holds invalid UTF-8, named by its innermost key.
func badUTF8Fields(v *forum.ValidationError, raw []byte) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if utf8.Valid(obj[k]) {
			continue
		}
		n := len(v.Order)
		badUTF8Fields(v, obj[k])
		if len(v.Order) == n {
			v.Add(k, "error.field.utf8")
		}
	}
}

// paramID parses a numeric path parameter; a bad one is a 404.
func paramID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// flash sets a one-time message (a catalog key) for the next page.
func (a *app) flash(c *gin.Context, key string) {
	a.setCookie(c, flashCookie, key, 60)
}

// redirect answers a form post with 303 See Other.
func redirect(c *gin.Context, to string) error {
	c.Redirect(http.StatusSeeOther, to)
	return nil
}
