package forum

import (
	"context"
	"fmt"
)

// Profile writes a member's region, municipality and areas of
// responsibility (codes of forum/places and Areas, not checked).
func (b *Bulk) Profile(ctx context.Context, memberID int64, region, municipality string, areas []string) error {
	if _, err := b.exec(ctx, `UPDATE members SET region = ?, municipality = ? WHERE id = ?`, region, municipality, memberID); err != nil {
		return fmt.Errorf("bulk profile: %w", err)
	}
	for _, a := range areas {
		if _, err := b.exec(ctx, `INSERT INTO member_areas (member_id, area) VALUES (?, ?) ON CONFLICT DO NOTHING`, memberID, a); err != nil {
			return fmt.Errorf("bulk profile areas: %w", err)
		}
	}
	return nil
}
