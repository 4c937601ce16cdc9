// Package db opens the read replica that the dashboards and the nightly
// reports query, so that long report queries never load the primary.
package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/lib/pq"
)

// Replica is the read-only pool behind the reports. The replica sits behind
// PgBouncer, which drops server connections that stay idle for ten minutes.
type Replica struct {
	pool    *sql.DB
	timeout time.Duration
}

// OpenReplica opens and checks the replica pool.
func OpenReplica(ctx context.Context, dsn string) (*Replica, error) {
	pool, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open replica: %w", err)
	}
	pool.SetMaxOpenConns(8)
	pool.SetMaxIdleConns(8)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ping replica: %w", err)
	}
	return &Replica{pool: pool, timeout: 30 * time.Second}, nil
}

// BuildsPerDay counts the builds of each of the last n days.
func (r *Replica) BuildsPerDay(ctx context.Context, n int) (map[string]int, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	rows, err := r.pool.QueryContext(ctx,
		`SELECT to_char(started_at, 'YYYY-MM-DD'), count(*) FROM builds
		 WHERE started_at > now() - make_interval(days => $1) GROUP BY 1`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]int)
	for rows.Next() {
		var day string
		var count int
		if err := rows.Scan(&day, &count); err != nil {
			return nil, err
		}
		out[day] = count
	}
	return out, rows.Err()
}

// Close closes the pool.
func (r *Replica) Close() error {
	return r.pool.Close()
}
