package forum

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/text/unicode/norm"
)

// Category groups topics.
type Category struct {
	ID          int64      `db:"id" json:"id"`
	Slug        string     `db:"slug" json:"slug"`
	Name        string     `db:"name" json:"name"`
	Description string     `db:"description" json:"description"`
	Position    int        `db:"position" json:"position"`
	ArchivedAt  *time.Time `db:"archived_at" json:"archived_at"`
	TopicCount  int        `db:"topic_count" json:"topic_count"`
	PostCount   int        `db:"post_count" json:"post_count"`
	CreatedAt   time.Time  `db:"created_at" json:"created_at"`
}

const categoryCols = `id, slug, name, description, position, archived_at, topic_count, post_count, created_at`

// Archived reports whether the category takes no new topics or posts.
func (c *Category) Archived() bool { return c.ArchivedAt != nil }

// Categories lists the categories in their order; archived ones only
// when asked.
func (s *Store) Categories(ctx context.Context, withArchived bool) ([]Category, error) {
	q := `SELECT ` + categoryCols + ` FROM categories`
	if !withArchived {
		q += ` WHERE archived_at IS NULL`
	}
	var cs []Category
	err := s.DB.SelectContext(ctx, &cs, q+` ORDER BY position, id`)
	return cs, err
}

// AdminCategories lists every category, archived ones too, for the admin
// page where they are managed; admins only.
func (s *Store) AdminCategories(ctx context.Context, actor *Member) ([]Category, error) {
	if !actor.IsAdmin() {
		return nil, Refuse(ErrForbidden, "error.admin_only")
	}
	return s.Categories(ctx, true)
}

// Category returns one category.
func (s *Store) Category(ctx context.Context, id int64) (*Category, error) {
	return s.categoryWhere(ctx, s.DB, "id = ?", id)
}

// CategoryBySlug returns the category with that slug.
func (s *Store) CategoryBySlug(ctx context.Context, slug string) (*Category, error) {
	return s.categoryWhere(ctx, s.DB, "slug = ?", slug)
}

func (s *Store) categoryWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (*Category, error) {
	var c Category
	if err := sqlx.GetContext(ctx, q, &c, `SELECT `+categoryCols+` FROM categories WHERE `+where, args...); err != nil {
		return nil, fmt.Errorf("category: %w", translate(err))
	}
	return &c, nil
}

// CategoryInput is what an admin sets on a category.
type CategoryInput struct {
	Name        string
	Slug        string
	Description string
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Slugify makes a URL slug of a Swedish name: å and ä become a, ö o.
func Slugify(name string) string {
	r := strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "é", "e", "ü", "u")
	s := r.Replace(strings.ToLower(norm.NFC.String(name)))
	var b strings.Builder
	dash := false
	for _, c := range s {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

func (in *CategoryInput) validate() error {
	v := &ValidationError{}
	in.Name = CheckText(v, "name", in.Name, 1, 60, false)
	in.Description = CheckText(v, "description", in.Description, 0, 500, true)
	if strings.TrimSpace(in.Slug) == "" {
		in.Slug = Slugify(in.Name)
	}
	in.Slug = strings.TrimSpace(in.Slug)
	if !v.Has("name") && (len(in.Slug) > 60 || !slugRE.MatchString(in.Slug)) {
		v.Add("slug", "error.slug.format")
	}
	return v.Err()
}

// CreateCategory adds a category at the end; admins only.
func (s *Store) CreateCategory(ctx context.Context, actor *Member, in CategoryInput) (*Category, error) {
	if !actor.IsAdmin() {
		return nil, Refuse(ErrForbidden, "error.admin_only")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var c *Category
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		id, err := InsertID(ctx, tx, `INSERT INTO categories (slug, name, description, position, created_at)
			VALUES (?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM categories), ?)`, in.Slug, in.Name, in.Description, s.now())
		if err != nil {
			if isUnique(err) {
				return Invalid("slug", "error.slug.taken")
			}
			return err
		}
		if c, err = s.categoryWhere(ctx, tx, "id = ?", id); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: "category.create", TargetType: "category", TargetID: id, Detail: c.Name})
	})
	return c, err
}

// UpdateCategory renames a category or changes its description or slug.
func (s *Store) UpdateCategory(ctx context.Context, actor *Member, id int64, in CategoryInput) (*Category, error) {
	if !actor.IsAdmin() {
		return nil, Refuse(ErrForbidden, "error.admin_only")
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var c *Category
	err := InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		old, err := s.categoryWhere(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE categories SET name = ?, slug = ?, description = ? WHERE id = ?`, in.Name, in.Slug, in.Description, id); err != nil {
			if isUnique(err) {
				return Invalid("slug", "error.slug.taken")
			}
			return err
		}
		if c, err = s.categoryWhere(ctx, tx, "id = ?", id); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: "category.update", TargetType: "category", TargetID: id,
			Detail: old.Name + " → " + c.Name})
	})
	return c, err
}

// MoveCategory moves a category one place up (delta < 0) or down.
func (s *Store) MoveCategory(ctx context.Context, actor *Member, id int64, delta int) error {
	if !actor.IsAdmin() {
		return Refuse(ErrForbidden, "error.admin_only")
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, `SELECT id FROM categories ORDER BY position, id`); err != nil {
			return err
		}
		at := -1
		for i, cid := range ids {
			if cid == id {
				at = i
			}
		}
		if at < 0 {
			return ErrNotFound
		}
		to := at + delta
		if to < 0 || to >= len(ids) {
			return nil
		}
		ids[at], ids[to] = ids[to], ids[at]
		for i, cid := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE categories SET position = ? WHERE id = ?`, i+1, cid); err != nil {
				return err
			}
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: "category.move", TargetType: "category", TargetID: id,
			Detail: fmt.Sprintf("%d → %d", at+1, to+1)})
	})
}

// ArchiveCategory archives (or restores) a category: its topics stay
// readable but take no new posts.
func (s *Store) ArchiveCategory(ctx context.Context, actor *Member, id int64, archive bool) error {
	if !actor.IsAdmin() {
		return Refuse(ErrForbidden, "error.admin_only")
	}
	var at any
	action := "category.restore"
	if archive {
		at = s.now()
		action = "category.archive"
	}
	return InTx(ctx, s.DB, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE categories SET archived_at = ? WHERE id = ?`, at, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.Audit(ctx, tx, AuditLine{ActorID: actor.ID, Action: action, TargetType: "category", TargetID: id})
	})
}

// isUnique reports whether err is a UNIQUE violation.
func isUnique(err error) bool { return errors.Is(translate(err), ErrConflict) }
