package store

import (
	"context"
	"fmt"
)

// Finish marks a build as finished and records its step timings in one
// transaction.
func (s *Store) Finish(ctx context.Context, id int64, status string, steps map[string]float64) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	res, err := tx.ExecContext(ctx,
		`UPDATE builds SET status = $1, finished_at = now() WHERE id = $2 AND finished_at IS NULL`,
		status, id)
	if err != nil {
		return fmt.Errorf("finish build %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrNotFound
	}

	stmt, err := tx.PrepareContext(ctx, `INSERT INTO build_steps (build_id, name, seconds) VALUES ($1, $2, $3)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for name, secs := range steps {
		if _, err := stmt.ExecContext(ctx, id, name, secs); err != nil {
			return fmt.Errorf("record step %s: %w", name, err)
		}
	}
	return tx.Commit()
}

// StepDurations returns the average duration of each step over the last builds
// of a repository.
func (s *Store) StepDurations(ctx context.Context, repo string) (map[string]float64, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT st.name, avg(st.seconds)
		FROM build_steps st JOIN builds b ON b.id = st.build_id
		WHERE b.repo = $1
		GROUP BY st.name`, repo)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	out := make(map[string]float64)
	for rows.Next() {
		var name string
		var avg float64
		if err := rows.Scan(&name, &avg); err != nil {
			return nil, err
		}
		out[name] = avg
	}
	return out, rows.Err()
}
