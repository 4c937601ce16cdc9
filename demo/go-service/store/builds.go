// Package store persists builds in PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Build is one CI build of a commit.
type Build struct {
	ID         int64
	Repo       string
	Commit     string
	Status     string
	StartedAt  time.Time
	FinishedAt sql.NullTime
}

// ErrNotFound is returned when a build does not exist.
var ErrNotFound = errors.New("build not found")

// Store reads and writes builds.
type Store struct {
	db *sql.DB
}

// New wraps an open pool.
func New(db *sql.DB) *Store {
	return &Store{db: db}
}

// ListBuilds returns the most recent builds of a repository.
func (s *Store) ListBuilds(ctx context.Context, repo string, limit int) ([]Build, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, repo, commit_sha, status, started_at, finished_at
		FROM builds
		WHERE repo = $1
		ORDER BY started_at DESC
		LIMIT $2`, repo, limit)
	if err != nil {
		return nil, fmt.Errorf("list builds of %s: %w", repo, err)
	}
	var builds []Build
	for rows.Next() {
		var b Build
		if err := rows.Scan(&b.ID, &b.Repo, &b.Commit, &b.Status, &b.StartedAt, &b.FinishedAt); err != nil {
			return nil, fmt.Errorf("scan build: %w", err)
		}
		builds = append(builds, b)
	}
	rows.Close()
	return builds, rows.Err()
}

// ListRunning returns every build that has not finished yet.
func (s *Store) ListRunning(ctx context.Context) ([]Build, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, repo, commit_sha, status, started_at, finished_at
		FROM builds
		WHERE finished_at IS NULL
		ORDER BY started_at`)
	if err != nil {
		return nil, fmt.Errorf("list running builds: %w", err)
	}
	defer rows.Close()
	var builds []Build
	for rows.Next() {
		var b Build
		if err := rows.Scan(&b.ID, &b.Repo, &b.Commit, &b.Status, &b.StartedAt, &b.FinishedAt); err != nil {
			return nil, fmt.Errorf("scan build: %w", err)
		}
		builds = append(builds, b)
	}
	return builds, rows.Err()
}

// Get returns one build.
func (s *Store) Get(ctx context.Context, id int64) (*Build, error) {
	var b Build
	err := s.db.QueryRowContext(ctx, `
		SELECT id, repo, commit_sha, status, started_at, finished_at
		FROM builds WHERE id = $1`, id).
		Scan(&b.ID, &b.Repo, &b.Commit, &b.Status, &b.StartedAt, &b.FinishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get build %d: %w", id, err)
	}
	return &b, nil
}

// Start records a new running build.
func (s *Store) Start(ctx context.Context, repo, commit string) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `
		INSERT INTO builds (repo, commit_sha, status, started_at)
		VALUES ($1, $2, 'running', now())
		RETURNING id`, repo, commit).Scan(&id)
	return id, err
}
