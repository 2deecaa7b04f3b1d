package forum

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Rate limits kept in the database, for several processes on one
// PostgreSQL database (migrations_pg/0300_rate_buckets.sql). A process
// alone on SQLite keeps its buckets in memory (cmd/kliv's limiter).

// takeTokenSQL refills the bucket by the time since its last use (at
// most to burst) and takes one token when there is one. allowed records
// whether it did, as RETURNING sees only the new row.
const takeTokenSQL = `
INSERT INTO rate_buckets AS b (name, key, tokens, allowed, updated_at)
VALUES ($1, $2, $4 - 1, true, $5)
ON CONFLICT (name, key) DO UPDATE SET
    tokens = CASE WHEN LEAST($4, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($5 - b.updated_at))) * $3) >= 1
                  THEN LEAST($4, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($5 - b.updated_at))) * $3) - 1
                  ELSE LEAST($4, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($5 - b.updated_at))) * $3) END,
    allowed = LEAST($4, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM ($5 - b.updated_at))) * $3) >= 1,
    updated_at = GREATEST(b.updated_at, $5)
RETURNING tokens, allowed`

// TakeRateToken takes one token from the shared bucket (name, key) that
// refills rate tokens a second up to burst. When none is left it
// reports false and how long until one is. now is the caller's clock;
// processes behind one proxy agree on time closely enough for limits
// counted in seconds.
func TakeRateToken(ctx context.Context, db sqlx.QueryerContext, name, key string, rate, burst float64, now time.Time) (bool, time.Duration, error) {
	var tokens float64
	var allowed bool
	// Placeholders are written $n (the driver leaves them be): this
	// runs on PostgreSQL only.
	if err := db.QueryRowxContext(ctx, takeTokenSQL, name, key, rate, burst, now.UTC()).Scan(&tokens, &allowed); err != nil {
		return true, 0, fmt.Errorf("rate limit %s: %w", name, err)
	}
	if allowed {
		return true, 0, nil
	}
	return false, time.Duration((1 - tokens) / rate * float64(time.Second)), nil
}

// PruneRateBuckets deletes buckets untouched since before (full again by
// then for every limit Kliv has).
func PruneRateBuckets(ctx context.Context, db sqlx.ExecerContext, before time.Time) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM rate_buckets WHERE updated_at < $1`, before.UTC())
	if err != nil {
		return 0, fmt.Errorf("prune rate limits: %w", err)
	}
	return res.RowsAffected()
}
