// Package webhook tells chat and deploy systems when a build finishes.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"example.com/buildsvc/store"
)

var httpClient = &http.Client{Timeout: 10 * time.Second}

// Notifier posts build events to one endpoint.
type Notifier struct {
	url    string
	token  string
	client *http.Client
}

// NewNotifier returns a notifier that shares the package's HTTP client.
func NewNotifier(url, token string) *Notifier {
	return &Notifier{url: url, token: token, client: httpClient}
}

type event struct {
	Build  int64  `json:"build"`
	Repo   string `json:"repo"`
	Commit string `json:"commit"`
	Status string `json:"status"`
}

// Notify posts a build event.
func (n *Notifier) Notify(ctx context.Context, b *store.Build) error {
	payload, err := json.Marshal(event{Build: b.ID, Repo: b.Repo, Commit: b.Commit, Status: b.Status})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.url, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+n.token)

	resp, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", n.url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook %s: unexpected status %s", n.url, resp.Status)
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// Ping checks that the endpoint answers.
func (n *Notifier) Ping(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, n.url, nil)
	if err != nil {
		return err
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Errorf("webhook %s: %s", n.url, resp.Status)
	}
	return nil
}
