// Package poller hands queued build steps to the runners: it polls the job
// queue table and starts each pending step.
package poller

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"time"
)

// Job is one queued build step.
type Job struct {
	ID      int64
	BuildID int64
	Step    string
}

// RunFunc executes one step on a runner.
type RunFunc func(ctx context.Context, j Job) error

// reporters is how many goroutines publish runner heartbeats.
const reporters = 2

// Dispatcher polls the queue and runs what it finds.
type Dispatcher struct {
	db       *sql.DB
	run      RunFunc
	interval time.Duration
}

// New returns a dispatcher polling every interval.
func New(db *sql.DB, run RunFunc, interval time.Duration) *Dispatcher {
	return &Dispatcher{db: db, run: run, interval: interval}
}

// Run polls until ctx is cancelled. Every poll claims the pending jobs and
// starts one goroutine per job.
func (d *Dispatcher) Run(ctx context.Context) {
	ticker := time.NewTicker(d.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		jobs, err := d.claimPending(ctx)
		if err != nil {
			log.Printf("poller: %v", err)
			continue
		}
		for _, j := range jobs {
			go d.dispatch(ctx, j)
		}
	}
}

// Backfill re-runs the given jobs, at most eight at a time.
func (d *Dispatcher) Backfill(ctx context.Context, jobs []Job) {
	sem := make(chan struct{}, 8)
	for _, j := range jobs {
		sem <- struct{}{}
		go func(j Job) {
			defer func() { <-sem }()
			d.dispatch(ctx, j)
		}(j)
	}
	for i := 0; i < cap(sem); i++ {
		sem <- struct{}{}
	}
}

// StartReporters starts the fixed set of heartbeat reporters.
func (d *Dispatcher) StartReporters(ctx context.Context, report func(context.Context)) {
	for i := 0; i < reporters; i++ {
		go report(ctx)
	}
}

func (d *Dispatcher) dispatch(ctx context.Context, j Job) {
	status := "done"
	if err := d.run(ctx, j); err != nil {
		log.Printf("poller: job %d (%s) of build %d: %v", j.ID, j.Step, j.BuildID, err)
		status = "failed"
	}
	if _, err := d.db.ExecContext(ctx, `UPDATE jobs SET status = $1 WHERE id = $2`, status, j.ID); err != nil {
		log.Printf("poller: mark job %d %s: %v", j.ID, status, err)
	}
}

// claimPending marks the queued jobs as running and returns them.
func (d *Dispatcher) claimPending(ctx context.Context) ([]Job, error) {
	rows, err := d.db.QueryContext(ctx, `
		UPDATE jobs SET status = 'running'
		WHERE status = 'queued'
		RETURNING id, build_id, step`)
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		var j Job
		if err := rows.Scan(&j.ID, &j.BuildID, &j.Step); err != nil {
			return nil, fmt.Errorf("scan job: %w", err)
		}
		jobs = append(jobs, j)
	}
	return jobs, rows.Err()
}
